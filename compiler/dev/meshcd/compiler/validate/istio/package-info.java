/**
 * Istio's semantic validation beyond the CRD schema: the rules istiod's validating webhook applies
 * in Go code (pkg/config/validation), one {@link dev.meshcd.compiler.validate.ResourceValidator} per
 * kind, plus the workload checks {@code istioctl validate} adds. Errors are IST0106, warnings MCD2001,
 * each with the exact field path. See docs/semantic-validation.md.
 */
package dev.meshcd.compiler.validate.istio;
