// Command xdsdump prints the xDS that istiod would send each proxy of a directory of Istio config, computed by
// istiod's own code in-process: Istio's fake discovery server (istio.io/istio/pilot/test/xds, the harness of
// Istio's pilot tests), with no cluster and no Envoy.
//
//	xdsdump [-n NAMESPACE] [-mesh MESHCONFIG.yaml] [-proxy NS/NAME]... [-istio-version 1.31.0] PATH...
//	xdsdump -analyze [-pods=false] [-mesh MESHCONFIG.yaml] PATH...
//
// Istio's own log goes to stderr at -log error (the default prints a few harmless "CRD ... expected to have a
// v1.6.0 annotation" lines from the Gateway API controller; -log none silences everything).
//
// PATH is any mix of files and directories (read recursively: *.yaml, *.yml, *.json; hidden entries skipped).
// Istio config (networking/security/telemetry/extensions.istio.io, Gateway API) goes to istiod's config store;
// Kubernetes objects (Service, Pod, Namespace, ...) to the fake Kubernetes client. Kinds of other groups (e.g.
// meshcd.dev policies) are skipped with a note on stderr.
//
// There is no controller manager: each Deployment, StatefulSet, DaemonSet and ReplicaSet becomes one running
// Pod named NAME-0 with its template's labels and annotations, and each Service with a selector gets an
// EndpointSlice of the running Pods it selects (targetPort names resolved against container ports). Pod IPs
// are assigned in input order from 10.244.0.0/16 unless the Pod states status.podIP.
//
// Proxies: every Pod (given or synthesized) except sidecar.istio.io/inject: "false" (label or annotation),
// as meshcd does; a Pod whose labels a networking.istio.io Gateway's selector matches is a gateway (router).
// -proxy NS/NAME limits the output to those proxies (NAME of the Pod or of the workload).
//
// Output (stdout), one JSON document:
//
//	{"istio": "<module version>", "proxies": [{"id": "ns/name", "type": "sidecar|router", "ip": "...",
//	  "listeners": [...], "routes": [...], "clusters": [...], "endpoints": [...]}]}
//
// Each element is an Envoy resource in protojson with proto field names (snake_case), sorted by name.
//
// With -analyze it runs Istio's analyzers instead, the way Istio's own analyzer tests do
// (pkg/config/analysis/analyzers/analyzers_test.go): every analyzer, runtime resources (Pods, Services, Namespaces,
// Secrets, ...) read from the files too, then istioctl's default ingress gateway added, all namespaces analyzed. It
// prints the messages as `istioctl analyze -o json` does. (`istioctl analyze --use-kube=false` itself ignores
// runtime resources in files and skips every analyzer that needs one.)
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	xdsfake "istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	kubelib "istio.io/istio/pkg/kube"
	istiolog "istio.io/istio/pkg/log"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	defaultNs := flag.String("n", "default", "namespace of resources that state none")
	meshFile := flag.String("mesh", "", "MeshConfig YAML (default: Istio's default mesh config)")
	istioVersion := flag.String("istio-version", "1.31.0", "the proxies' Istio version (node metadata ISTIO_VERSION)")
	logLevel := flag.String("log", "error", "Istio log level (none, error, warn, info, debug)")
	analyze := flag.Bool("analyze", false, "run Istio's analyzers (all of them, runtime resources included) instead")
	pods := flag.Bool("pods", true, "with -analyze: also give the analyzers one Pod per workload (Deployment, ...)")
	var only stringList
	flag.Var(&only, "proxy", "only this proxy, NS/NAME (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: xdsdump [flags] PATH...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	configureLogging(*logLevel)
	if *analyze {
		if err := runAnalyzers(flag.Args(), *meshFile, *pods); err != nil {
			fmt.Fprintln(os.Stderr, "xdsdump:", err)
			os.Exit(1)
		}
		return
	}

	in, err := load(flag.Args(), *defaultNs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xdsdump:", err)
		os.Exit(2)
	}
	opts := xdsfake.FakeOptions{Configs: in.istio, KubernetesObjects: in.kube}
	if *meshFile != "" {
		b, err := os.ReadFile(*meshFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "xdsdump:", err)
			os.Exit(2)
		}
		m, err := mesh.ApplyMeshConfigDefaults(string(b))
		if err != nil {
			fmt.Fprintln(os.Stderr, "xdsdump: mesh config:", err)
			os.Exit(2)
		}
		opts.MeshConfig = m
	}

	out, err := run(opts, in, only, *istioVersion)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xdsdump:", err)
		os.Exit(1)
	}
	w := json.NewEncoder(os.Stdout)
	w.SetIndent("", "  ")
	if err := w.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "xdsdump:", err)
		os.Exit(1)
	}
}

func configureLogging(level string) {
	o := istiolog.DefaultOptions()
	o.OutputPaths = []string{"stderr"}
	l := istiolog.StringToLevel(level)
	if level == "none" {
		l = istiolog.NoneLevel
	}
	for _, s := range istiolog.Scopes() {
		o.SetDefaultOutputLevel(s.Name(), l)
	}
	o.SetDefaultOutputLevel(istiolog.DefaultScopeName, l)
	_ = istiolog.Configure(o)
}

// --- input ---------------------------------------------------------------------------------------------------

type proxySpec struct {
	pod      *corev1.Pod
	workload string // the Deployment etc. it stands for, or the Pod's own name
	router   bool
}

type input struct {
	istio   []config.Config
	kube    []k8sruntime.Object
	proxies []proxySpec
	// Pods made from workloads (Deployment, ...), standing in for the controller manager.
	synthesized []*corev1.Pod
}

const domainSuffix = "cluster.local"

// notes receives what load skips (stderr; discarded in -analyze mode, where load only supplies Pods).
var notes io.Writer = os.Stderr

var creationTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var istioGroups = map[string]bool{
	"networking.istio.io": true, "security.istio.io": true, "telemetry.istio.io": true,
	"extensions.istio.io": true, "gateway.networking.k8s.io": true, "gateway.networking.x-k8s.io": true,
	"inference.networking.k8s.io": true, "inference.networking.x-k8s.io": true,
}

// kube kinds the fake client is given as-is (workloads are turned into Pods instead).
var kubeKinds = map[string]bool{
	"Service": true, "Pod": true, "Namespace": true, "Endpoints": true, "EndpointSlice": true,
	"ServiceAccount": true, "ConfigMap": true, "Secret": true, "Node": true,
}

var workloadKinds = map[string]bool{"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true}

// inputFiles lists PATHs as istioctl does: files as given, directories recursively (*.yaml, *.yml, *.json), sorted.
func inputFiles(paths []string) ([]string, error) {
	var all []string
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			all = append(all, root)
			continue
		}
		var files []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".json")) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		all = append(all, files...)
	}
	return all, nil
}

func load(paths []string, defaultNs string) (*input, error) {
	files, err := inputFiles(paths)
	if err != nil {
		return nil, err
	}
	var docs []map[string]any
	for _, f := range files {
		d, err := readDocs(f)
		if err != nil {
			fmt.Fprintf(notes, "xdsdump: skipping %s: %v\n", f, err)
			continue
		}
		docs = append(docs, d...)
	}

	in := &input{}
	var istio []string
	var pods []*corev1.Pod
	podWorkload := map[*corev1.Pod]string{}
	var services []*corev1.Service
	var gatewaySelectors []map[string]string
	haveSlices := map[string]bool{}
	decode := kubelib.IstioCodec.UniversalDeserializer().Decode
	for _, d := range docs {
		u := unstructured.Unstructured{Object: d}
		gv := u.GroupVersionKind()
		if defaultNs != "" && u.GetNamespace() == "" && u.GetKind() != "Namespace" && u.GetKind() != "Node" {
			u.SetNamespace(defaultNs)
		}
		b, err := json.Marshal(u.Object)
		if err != nil {
			return nil, err
		}
		switch {
		case istioGroups[gv.Group]:
			y, err := yaml.JSONToYAML(b)
			if err != nil {
				return nil, err
			}
			istio = append(istio, string(y))
			if gv.Group == "networking.istio.io" && gv.Kind == "Gateway" {
				if sel, ok, _ := unstructured.NestedStringMap(u.Object, "spec", "selector"); ok {
					gatewaySelectors = append(gatewaySelectors, sel)
				}
			}
		case (gv.Group == "" || gv.Group == "discovery.k8s.io") && kubeKinds[gv.Kind]:
			o, _, err := decode(b, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %v", gv.Kind, u.GetNamespace(), u.GetName(), err)
			}
			switch t := o.(type) {
			case *corev1.Pod:
				pods = append(pods, t)
				podWorkload[t] = t.Name
				continue // added below, once it has an IP
			case *corev1.Service:
				// As the API server defaults it: a port without targetPort targets the same port number.
				for i := range t.Spec.Ports {
					if t.Spec.Ports[i].TargetPort == (intstr.IntOrString{}) {
						t.Spec.Ports[i].TargetPort = intstr.FromInt32(t.Spec.Ports[i].Port)
					}
				}
				services = append(services, t)
			case *discoveryv1.EndpointSlice:
				haveSlices[t.Namespace+"/"+t.Labels[discoveryv1.LabelServiceName]] = true
			}
			in.kube = append(in.kube, o)
		case gv.Group == "apps" && workloadKinds[gv.Kind]:
			o, _, err := decode(b, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %v", gv.Kind, u.GetNamespace(), u.GetName(), err)
			}
			var tmpl *corev1.PodTemplateSpec
			switch t := o.(type) {
			case *appsv1.Deployment:
				tmpl = &t.Spec.Template
			case *appsv1.StatefulSet:
				tmpl = &t.Spec.Template
			case *appsv1.DaemonSet:
				tmpl = &t.Spec.Template
			case *appsv1.ReplicaSet:
				tmpl = &t.Spec.Template
			}
			p := &corev1.Pod{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: metav1.ObjectMeta{
					Name: u.GetName() + "-0", Namespace: u.GetNamespace(),
					Labels: tmpl.Labels, Annotations: tmpl.Annotations,
				},
				Spec: *tmpl.Spec.DeepCopy(),
			}
			pods = append(pods, p)
			podWorkload[p] = u.GetName()
			in.synthesized = append(in.synthesized, p)
		default:
			fmt.Fprintf(notes, "xdsdump: skipping %s %s %s/%s\n", u.GetAPIVersion(), gv.Kind, u.GetNamespace(), u.GetName())
		}
	}
	// One document at a time: a document istiod's validation rejects (the webhook would refuse it) is skipped.
	for _, doc := range istio {
		configs, unknown, err := crd.ParseInputs(doc)
		if err != nil {
			fmt.Fprintf(notes, "xdsdump: skipping invalid config (%v):\n%s\n", err, doc)
			continue
		}
		for _, k := range unknown {
			fmt.Fprintf(notes, "xdsdump: skipping unknown kind %s/%s %s\n", k.APIVersion, k.Kind, k.Name)
		}
		for _, c := range configs {
			// As istiod's Kubernetes config store does: short hosts resolve against the mesh's domain suffix.
			c.Domain = domainSuffix
			if c.CreationTimestamp.IsZero() {
				// One fixed time for all, so that conflicts resolve by name as they would in a fresh cluster.
				c.CreationTimestamp = creationTime
			}
			in.istio = append(in.istio, c)
		}
	}

	// Running pods with IPs.
	for i, p := range pods {
		if p.Status.PodIP == "" {
			ip := fmt.Sprintf("10.244.%d.%d", (i+1)/250, (i+1)%250+1)
			p.Status.PodIP = ip
			p.Status.PodIPs = []corev1.PodIP{{IP: ip}}
		}
		if p.Status.Phase == "" {
			p.Status.Phase = corev1.PodRunning
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue})
		}
		if p.Spec.NodeName == "" {
			p.Spec.NodeName = "node-0"
		}
		if p.Status.HostIP == "" {
			p.Status.HostIP = "10.0.0.1"
		}
		in.kube = append(in.kube, p)
		if injectDisabled(p) {
			continue
		}
		router := false
		for _, sel := range gatewaySelectors {
			if len(sel) > 0 && matches(sel, p.Labels) {
				router = true
			}
		}
		in.proxies = append(in.proxies, proxySpec{pod: p, workload: podWorkload[p], router: router})
	}

	// The endpointslice controller's job, for selector Services without a slice of their own.
	for _, s := range services {
		if len(s.Spec.Selector) == 0 || haveSlices[s.Namespace+"/"+s.Name] {
			continue
		}
		in.kube = append(in.kube, endpointSlice(s, pods))
	}
	return in, nil
}

func readDocs(file string) ([]map[string]any, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		if m == nil {
			continue
		}
		if kind, _ := m["kind"].(string); strings.HasSuffix(kind, "List") && m["items"] != nil {
			items, _ := m["items"].([]any)
			for _, it := range items {
				if im, ok := it.(map[string]any); ok {
					out = append(out, im)
				}
			}
			continue
		}
		if _, ok := m["apiVersion"]; !ok {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

func injectDisabled(p *corev1.Pod) bool {
	return p.Labels["sidecar.istio.io/inject"] == "false" || p.Annotations["sidecar.istio.io/inject"] == "false"
}

func matches(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func endpointSlice(s *corev1.Service, pods []*corev1.Pod) *discoveryv1.EndpointSlice {
	es := &discoveryv1.EndpointSlice{
		TypeMeta: metav1.TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
		ObjectMeta: metav1.ObjectMeta{
			Name: s.Name + "-xdsdump", Namespace: s.Namespace,
			Labels: map[string]string{discoveryv1.LabelServiceName: s.Name},
		},
		AddressType: discoveryv1.AddressTypeIPv4,
	}
	var selected []*corev1.Pod
	for _, p := range pods {
		if p.Namespace == s.Namespace && matches(s.Spec.Selector, p.Labels) {
			selected = append(selected, p)
		}
	}
	ready := true
	for _, p := range selected {
		name := p.Name
		es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{
			Addresses:  []string{p.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: name, Namespace: p.Namespace},
			NodeName:   &p.Spec.NodeName,
		})
	}
	for _, sp := range s.Spec.Ports {
		name := sp.Name
		proto := sp.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		port := targetPort(sp, selected)
		es.Ports = append(es.Ports, discoveryv1.EndpointPort{Name: &name, Protocol: &proto, Port: &port, AppProtocol: sp.AppProtocol})
	}
	return es
}

func targetPort(sp corev1.ServicePort, pods []*corev1.Pod) int32 {
	switch {
	case sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal != 0:
		return sp.TargetPort.IntVal
	case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal != "":
		for _, p := range pods {
			for _, c := range p.Spec.Containers {
				for _, cp := range c.Ports {
					if cp.Name == sp.TargetPort.StrVal {
						return cp.ContainerPort
					}
				}
			}
		}
	}
	return sp.Port
}

// --- the fake discovery server -------------------------------------------------------------------------------

// failer is the test.Failer the fake discovery server wants: Fatal ends the calling goroutine, the first error wins.
type failer struct {
	mu       sync.Mutex
	err      error
	cleanups []func()
	tmp      []string
}

func (f *failer) Fail()                          { f.Fatal("fail called") }
func (f *failer) FailNow()                       { f.Fatal("fail now called") }
func (f *failer) Fatalf(format string, a ...any) { f.Fatal(fmt.Sprintf(format, a...)) }
func (f *failer) Skip(a ...any)                  { f.Fatal(a...) }
func (f *failer) Helper()                        {}
func (f *failer) Log(a ...any)                   { istiolog.Debug(fmt.Sprint(a...)) }
func (f *failer) Logf(format string, a ...any)   { istiolog.Debugf(format, a...) }
func (f *failer) Cleanup(fn func())              { f.mu.Lock(); f.cleanups = append(f.cleanups, fn); f.mu.Unlock() }
func (f *failer) Fatal(a ...any) {
	f.mu.Lock()
	if f.err == nil {
		f.err = errors.New(fmt.Sprint(a...))
	}
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *failer) TempDir() string {
	d, err := os.MkdirTemp("", "xdsdump")
	if err != nil {
		f.Fatal(err)
	}
	f.mu.Lock()
	f.tmp = append(f.tmp, d)
	f.mu.Unlock()
	return d
}

func (f *failer) close() {
	f.mu.Lock()
	cs := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	for _, d := range f.tmp {
		_ = os.RemoveAll(d)
	}
}

type proxyOut struct {
	ID        string            `json:"id"`
	Workload  string            `json:"workload"`
	Type      string            `json:"type"`
	IP        string            `json:"ip"`
	Listeners []json.RawMessage `json:"listeners"`
	Routes    []json.RawMessage `json:"routes"`
	Clusters  []json.RawMessage `json:"clusters"`
	Endpoints []json.RawMessage `json:"endpoints"`
}

type output struct {
	Istio   string     `json:"istio"`
	Proxies []proxyOut `json:"proxies"`
}

func run(opts xdsfake.FakeOptions, in *input, only []string, istioVersion string) (*output, error) {
	out := &output{Istio: istioModuleVersion(), Proxies: []proxyOut{}}
	f := &failer{}
	defer f.close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := xdsfake.NewFakeDiscoveryServer(f, opts)
		for _, ps := range in.proxies {
			p := ps.pod
			id := p.Namespace + "/" + p.Name
			if len(only) > 0 && !contains(only, id) && !contains(only, p.Namespace+"/"+ps.workload) {
				continue
			}
			typ := model.SidecarProxy
			if ps.router {
				typ = model.Router
			}
			proxy := s.SetupProxy(&model.Proxy{
				Type:            typ,
				ID:              p.Name + "." + p.Namespace,
				IPAddresses:     []string{p.Status.PodIP},
				ConfigNamespace: p.Namespace,
				Labels:          p.Labels,
				Metadata: &model.NodeMetadata{
					Labels:       p.Labels,
					Namespace:    p.Namespace,
					IstioVersion: istioVersion,
					ClusterID:    opts.DefaultClusterName,
					WorkloadName: ps.workload,
				},
			})
			if proxy.Metadata.ClusterID == "" {
				proxy.Metadata.ClusterID = "Kubernetes"
			}
			po := proxyOut{ID: id, Workload: p.Namespace + "/" + ps.workload, Type: string(typ), IP: p.Status.PodIP}
			listeners := s.Listeners(proxy)
			po.Listeners = marshalAll(f, listeners)
			po.Routes = marshalAll(f, s.RoutesFromListeners(proxy, listeners))
			po.Clusters = marshalAll(f, s.Clusters(proxy))
			po.Endpoints = marshalAll(f, s.Endpoints(proxy))
			out.Proxies = append(out.Proxies, po)
		}
	}()
	<-done
	if f.err != nil {
		return nil, f.err
	}
	return out, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

type named interface {
	proto.Message
	GetName() string
}

type clusterNamed interface {
	proto.Message
	GetClusterName() string
}

func marshalAll[T proto.Message](f *failer, items []T) []json.RawMessage {
	key := func(m proto.Message) string {
		switch v := m.(type) {
		case named:
			return v.GetName()
		case clusterNamed:
			return v.GetClusterName()
		}
		return ""
	}
	sorted := append([]T(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return key(sorted[i]) < key(sorted[j]) })
	mo := protojson.MarshalOptions{UseProtoNames: true}
	res := make([]json.RawMessage, 0, len(sorted))
	for _, m := range sorted {
		b, err := mo.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		// protojson's output is deliberately unstable in whitespace: compact it.
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			f.Fatal(err)
		}
		res = append(res, c.Bytes())
	}
	return res
}

func istioModuleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "istio.io/istio" {
				return d.Version
			}
		}
	}
	return "unknown"
}
