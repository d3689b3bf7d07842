{{- define "rbac.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: teamf
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "rbac.name" -}}
{{- printf "%s-developers" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Refuse grants that would reach Kubernetes' own groups or namespaces, naming the value to fix. */}}
{{- define "rbac.validate" -}}
{{- if hasPrefix "system:" .Values.developersGroup -}}
{{- fail (printf "developersGroup %q is a Kubernetes system group: set developersGroup to the developers' own group (default teamf:developers)" .Values.developersGroup) -}}
{{- end -}}
{{- range .Values.namespaces -}}
{{- if or (hasPrefix "kube-" .) (eq . "default") -}}
{{- fail (printf "namespaces: %q is a system namespace; list only application namespaces" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
