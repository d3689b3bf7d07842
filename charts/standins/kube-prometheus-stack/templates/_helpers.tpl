{{- define "kps.fullname" -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "kps.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end -}}

{{- define "kps.labels" -}}
{{ include "kps.selectorLabels" . }}
app.kubernetes.io/part-of: {{ .ctx.Chart.Name }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
{{- end -}}

{{/* A small hardened workload: ctx, component, image, args, port, api (needs a token), volumes. */}}
{{- define "kps.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ printf "%s-%s" (include "kps.fullname" .ctx) .component }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "kps.labels" . | nindent 4 }}
  annotations:
    checkov.io/skip1: CKV_K8S_43=Stand-in for the upstream chart, which pins images by tag
    checkov.io/skip2: CKV2_K8S_6=The upstream chart ships no NetworkPolicy for its components
    {{- if .api }}
    checkov.io/skip3: CKV_K8S_38={{ .component }} discovers scrape targets through the Kubernetes API, so it needs its token
    {{- end }}
spec:
  replicas: 1
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "kps.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "kps.labels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "kps.fullname" .ctx }}
      automountServiceAccountToken: {{ .api }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65534
        fsGroup: 65534
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: {{ .component }}
          image: {{ printf "%s:%s" .image.repository .image.tag | quote }}
          imagePullPolicy: Always
          {{- with .args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with .env }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ .port }}
              protocol: TCP
          readinessProbe:
            httpGet: {path: {{ .health }}, port: http}
          livenessProbe:
            httpGet: {path: {{ .health }}, port: http}
            initialDelaySeconds: 30
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: "1", memory: 512Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: [ALL]
          volumeMounts:
            - {name: data, mountPath: /data}
            {{- range .mounts }}
            - {{ toYaml . | nindent 14 | trim }}
            {{- end }}
      volumes:
        - name: data
          emptyDir: {sizeLimit: 1Gi}
        {{- range .volumes }}
        - {{ toYaml . | nindent 10 | trim }}
        {{- end }}
{{- end -}}
