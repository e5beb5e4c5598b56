package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	"istio.io/istio/pkg/config/analysis/local"
)

// runAnalyzers runs every Istio analyzer on the files as Istio's analyzer tests do (setupAnalyzerForCase): the
// files' runtime resources included, then the default ingress gateway, no namespace filter, istio-system as the
// Istio namespace. Prints the messages as `istioctl analyze -o json`.
//
// With pods, each workload (Deployment, StatefulSet, DaemonSet, ReplicaSet) also gets the Pod a cluster would run
// (NAME-0, the template's labels and annotations, in the workload's namespace or none), as xDS mode does: Istio's
// analyzers look at Pods, never at workload templates. In a namespace labelled for injection (istio-injection:
// enabled, or istio.io/rev) such a Pod also gets an istio-proxy container, as the injection webhook would add.
func runAnalyzers(paths []string, meshFile string, pods bool) error {
	files, err := inputFiles(paths)
	if err != nil {
		return err
	}
	sa := local.NewSourceAnalyzer(analyzers.AllCombined(), "", "istio-system", nil)
	if meshFile != "" {
		if err := sa.AddFileKubeMeshConfig(meshFile); err != nil {
			return fmt.Errorf("mesh config %s: %v", meshFile, err)
		}
	}
	var readers []local.ReaderSource
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return err
		}
		defer r.Close()
		readers = append(readers, local.ReaderSource{Name: f, Reader: r})
	}
	if pods {
		notes = io.Discard
		in, err := load(paths, "")
		if err != nil {
			return err
		}
		injected := map[string]bool{}
		for _, o := range in.kube {
			if ns, ok := o.(*corev1.Namespace); ok {
				injected[ns.Name] = ns.Labels["istio-injection"] == "enabled" ||
					(ns.Labels["istio.io/rev"] != "" && ns.Labels["istio-injection"] != "disabled")
			}
		}
		var b strings.Builder
		for _, p := range in.synthesized {
			p = p.DeepCopy()
			p.Status = corev1.PodStatus{}
			p.Spec.NodeName = ""
			if injected[p.Namespace] && !injectDisabled(p) {
				// What the injection webhook would have added (the analyzers only look for the container).
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: "istio/proxyv2"})
			}
			y, err := yaml.Marshal(p)
			if err != nil {
				return err
			}
			b.WriteString("---\n")
			b.Write(y)
		}
		if b.Len() > 0 {
			readers = append(readers, local.ReaderSource{Name: "xdsdump-workload-pods.yaml", Reader: strings.NewReader(b.String())})
		}
	}
	if err := sa.AddTestReaderKubeSource(readers); err != nil {
		fmt.Fprintf(os.Stderr, "xdsdump: error(s) adding files: %v\n", err)
	}
	if err := sa.AddDefaultResources(); err != nil {
		return err
	}
	cancel := make(chan struct{})
	defer close(cancel)
	res, err := sa.Analyze(cancel)
	if err != nil {
		return err
	}
	msgs := res.Messages.SetDocRef("istioctl-analyze")
	if msgs == nil || *msgs == nil {
		msgs = &diag.Messages{} // "[]", as istioctl prints
	}
	b, err := json.MarshalIndent(msgs, "", "\t")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
