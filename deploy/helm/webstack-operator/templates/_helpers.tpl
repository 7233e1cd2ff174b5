{{/* The chart's name, overridable. */}}
{{- define "webstack-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name alone when it already contains the chart name. */}}
{{- define "webstack-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "webstack-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "webstack-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "webstack-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "webstack-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: webstack-operator
{{- end }}

{{- define "webstack-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "webstack-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "webstack-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* What the operator may do to WebStacks and the objects it owns; shared by the ClusterRole and each Role. */}}
{{- define "webstack-operator.rules" -}}
- apiGroups: [webstack.dev]
  resources: [webstacks]
  verbs: [get, list, watch, update, patch]
- apiGroups: [webstack.dev]
  resources: [webstacks/status]
  verbs: [get, update, patch]
- apiGroups: [webstack.dev]
  resources: [webstacks/finalizers]
  verbs: [update]
# Scheduled backups are WebStackBackup objects the operator creates, and retention deletes.
- apiGroups: [webstack.dev]
  resources: [webstackbackups]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [webstack.dev]
  resources: [webstackbackups/status]
  verbs: [get, update, patch]
- apiGroups: [""]
  resources: [configmaps, secrets, services]
  verbs: [get, list, watch, create, update, patch, delete]
# A stack's backup volume (storage volume) is created and grown, never deleted: it outlives the stack.
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch, create, update, patch]
# The operator moves the database role label from pod to pod on failover, and deletes (restarts
# hard) a returning old primary so crash recovery drops its unacknowledged writes.
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
# A stack's Gateway API route and cert-manager Certificate, when their CRDs are installed.
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes, tlsroutes]
  verbs: [get, list, create, update, patch, delete]
- apiGroups: [cert-manager.io]
  resources: [certificates]
  verbs: [get, list, create, update, patch, delete]
{{- end }}
