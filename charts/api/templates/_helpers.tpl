{{/*
Helpers take a dict: ctx (the root context) and component (auth-api, users-api, redis).
*/}}

{{- define "api.name" -}}
{{- printf "%s-%s" .ctx.Release.Name .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "api.selectorLabels" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* teamf.io/release stays out of selectors: they are immutable, the release is not. */}}
{{- define "api.labels" -}}
{{ include "api.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: teamf
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
teamf.io/release: {{ .ctx.Values.release | quote }}
{{- end -}}

{{- define "api.releaseAnnotation" -}}
teamf.io/release: {{ .Values.release | quote }}
{{- end -}}

{{/*
repository@digest when a digest is given, else repository:tag (never latest: what runs must be
what the release manifest names). Takes key (values key) and image.
*/}}
{{- define "api.image" -}}
{{- $image := .image -}}
{{- if $image.digest -}}
{{ $image.repository }}@{{ $image.digest }}
{{- else if or (not $image.tag) (eq $image.tag "latest") -}}
{{- fail (printf "%s.image.tag %q is not a pinned version: set a version tag or %s.image.digest" .key ($image.tag | default "") .key) -}}
{{- else -}}
{{ $image.repository }}:{{ $image.tag }}
{{- end -}}
{{- end -}}

{{- define "api.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsUser }}
fsGroup: {{ .Values.runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "api.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Spread replicas over zones, without blocking scheduling when a zone is short of room. */}}
{{- define "api.topologySpread" -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "api.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/*
A PDB whose minAvailable reaches the replica count blocks every node drain: refuse it with the
fields to change. Takes ctx, component, key (values key), pdb and replicas.
*/}}
{{- define "api.checkDisruptionBudget" -}}
{{- $min := .pdb.minAvailable -}}
{{- if and (not (kindIs "string" $min)) (ge (int $min) (int .replicas)) -}}
{{- fail (printf "%s.podDisruptionBudget.minAvailable (%d) must be lower than the %s replica count (%d), or node drains block: lower it or raise the replicas" .key (int $min) .key (int .replicas)) -}}
{{- end -}}
{{- end -}}

{{/*
checkov's digest check (CKV_K8S_43) is waived, with the reason, only while an image is pinned by tag.
Takes an image value.
*/}}
{{- define "api.digestSkip" -}}
{{- if not .digest -}}
checkov.io/skip1: CKV_K8S_43=Pinned by tag from the release manifest (immutable ECR tags); set image.digest to pin by digest
{{- end -}}
{{- end -}}
