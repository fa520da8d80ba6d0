package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// scaledObject is the part of KEDA's ScaledObject (keda.sh/v1alpha1) the
// manifests use; strict decoding rejects any field it does not know.
type scaledObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		ScaleTargetRef struct {
			Name string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount"`
		MaxReplicaCount *int32 `json:"maxReplicaCount"`
		PollingInterval int32  `json:"pollingInterval"`
		CooldownPeriod  int32  `json:"cooldownPeriod"`
		Triggers        []struct {
			Type     string            `json:"type"`
			Metadata map[string]string `json:"metadata"`
		} `json:"triggers"`
	} `json:"spec"`
}

// manifests holds every decoded object of deploy/k8s by kind.
type manifests struct {
	deployments []appsv1.Deployment
	pdbs        []policyv1.PodDisruptionBudget
	secrets     map[string]corev1.Secret
	configMaps  map[string]corev1.ConfigMap
	services    []corev1.Service
	pvcs        map[string]bool
	jobs        []batchv1.Job
	scaled      []scaledObject
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

func loadManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("../../k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s: %v", err)
	}
	m := manifests{secrets: map[string]corev1.Secret{}, configMaps: map[string]corev1.ConfigMap{}, pvcs: map[string]bool{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range docSep.Split(string(data), -1) {
			if len(bytes.TrimSpace([]byte(doc))) == 0 {
				continue
			}
			var head struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				t.Fatalf("%s #%d: %v", f, i, err)
			}
			strict := func(v any) {
				if err := yaml.UnmarshalStrict([]byte(doc), v); err != nil {
					t.Errorf("%s #%d (%s): %v", f, i, head.Kind, err)
				}
			}
			switch head.APIVersion + " " + head.Kind {
			case "v1 Namespace":
				strict(&corev1.Namespace{})
			case "v1 ConfigMap":
				var v corev1.ConfigMap
				strict(&v)
				m.configMaps[v.Name] = v
			case "v1 Secret":
				var v corev1.Secret
				strict(&v)
				m.secrets[v.Name] = v
			case "v1 Service":
				var v corev1.Service
				strict(&v)
				m.services = append(m.services, v)
			case "v1 PersistentVolumeClaim":
				var v corev1.PersistentVolumeClaim
				strict(&v)
				m.pvcs[v.Name] = true
			case "apps/v1 Deployment":
				var v appsv1.Deployment
				strict(&v)
				m.deployments = append(m.deployments, v)
			case "batch/v1 Job":
				var v batchv1.Job
				strict(&v)
				m.jobs = append(m.jobs, v)
			case "policy/v1 PodDisruptionBudget":
				var v policyv1.PodDisruptionBudget
				strict(&v)
				m.pdbs = append(m.pdbs, v)
			case "keda.sh/v1alpha1 ScaledObject":
				var v scaledObject
				strict(&v)
				m.scaled = append(m.scaled, v)
			default:
				t.Errorf("%s #%d: unexpected %s %s (add it to the test)", f, i, head.APIVersion, head.Kind)
			}
		}
	}
	return m
}

func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	if len(m.deployments) != 3 {
		t.Fatalf("want the fetcher, parser and indexer Deployments, got %d", len(m.deployments))
	}
	deployments := map[string]appsv1.Deployment{}
	for _, d := range m.deployments {
		deployments[d.Name] = d
	}
	pods := []corev1.PodSpec{}
	for _, d := range m.deployments {
		pods = append(pods, d.Spec.Template.Spec)
	}
	for _, j := range m.jobs {
		pods = append(pods, j.Spec.Template.Spec)
	}

	for _, d := range m.deployments {
		t.Run("deployment/"+d.Name, func(t *testing.T) {
			labels := d.Spec.Template.Labels
			for k, v := range d.Spec.Selector.MatchLabels {
				if labels[k] != v {
					t.Errorf("selector %s=%s does not match the pod template", k, v)
				}
			}
			for _, c := range d.Spec.Template.Spec.Containers {
				if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
					t.Errorf("container %s: want a readiness probe on /readyz", c.Name)
				}
				if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
					t.Errorf("container %s: want a liveness probe on /healthz", c.Name)
				}
				if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
					t.Errorf("container %s: want cpu and memory requests and a memory limit", c.Name)
				}
			}
			found := false
			for _, p := range m.pdbs {
				sel := p.Spec.Selector.MatchLabels
				match := len(sel) > 0
				for k, v := range sel {
					match = match && labels[k] == v
				}
				found = found || match
			}
			if !found {
				t.Error("no PodDisruptionBudget selects its pods")
			}
		})
	}
	for i, p := range pods {
		sc := p.SecurityContext
		if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("pod %d: want runAsNonRoot", i)
		}
		for _, c := range p.Containers {
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef != nil {
					if _, ok := m.configMaps[ef.ConfigMapRef.Name]; !ok {
						t.Errorf("container %s: ConfigMap %s does not exist", c.Name, ef.ConfigMapRef.Name)
					}
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				ref := e.ValueFrom.SecretKeyRef
				if _, ok := m.secrets[ref.Name].StringData[ref.Key]; !ok {
					t.Errorf("container %s: %s refers to missing secret key %s/%s", c.Name, e.Name, ref.Name, ref.Key)
				}
			}
		}
		for _, v := range p.Volumes {
			if v.ConfigMap != nil {
				if _, ok := m.configMaps[v.ConfigMap.Name]; !ok {
					t.Errorf("volume %s: ConfigMap %s does not exist", v.Name, v.ConfigMap.Name)
				}
			}
			if v.PersistentVolumeClaim != nil && !m.pvcs[v.PersistentVolumeClaim.ClaimName] {
				t.Errorf("volume %s: claim %s does not exist", v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}

	search := false
	for _, s := range m.services {
		if s.Spec.Selector["app.kubernetes.io/name"] == "indexer" {
			search = true
		}
	}
	if !search {
		t.Error("no Service for the search API")
	}

	scaled := map[string]bool{}
	for _, so := range m.scaled {
		t.Run("scaledobject/"+so.Metadata.Name, func(t *testing.T) {
			if _, ok := deployments[so.Spec.ScaleTargetRef.Name]; !ok {
				t.Errorf("scales %q, which is not a Deployment", so.Spec.ScaleTargetRef.Name)
			}
			if len(so.Spec.Triggers) == 0 {
				t.Fatal("no triggers")
			}
			for _, tr := range so.Spec.Triggers {
				if tr.Type != "nats-jetstream" {
					t.Errorf("trigger %s: want nats-jetstream (consumer lag)", tr.Type)
				}
				for _, k := range []string{"natsServerMonitoringEndpoint", "account", "stream", "consumer", "lagThreshold"} {
					if tr.Metadata[k] == "" {
						t.Errorf("trigger lacks %s", k)
					}
				}
			}
			scaled[so.Spec.ScaleTargetRef.Name] = true
		})
	}
	for _, name := range []string{"parser", "indexer"} {
		if !scaled[name] {
			t.Errorf("no ScaledObject for %s", name)
		}
	}
}

// TestStrictDecodingRejectsUnknownFields shows that the manifest check
// would catch a typo.
func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		into any
	}{
		{"deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 2}\n", &appsv1.Deployment{}},
		{"probe", "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, readinessProbe: {httpGet: {path: /readyz, prot: 8080}}}]}\n", &corev1.Pod{}},
		{"scaledobject", "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec: {scaleTargetRef: {name: parser}, maxReplicas: 3}\n", &scaledObject{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := yaml.UnmarshalStrict([]byte(c.doc), c.into); err == nil {
				t.Fatal("an unknown field was accepted")
			}
		})
	}
}
