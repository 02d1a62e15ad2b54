{{/* Names are prefixed with the release so two installs can share a namespace. */}}
{{- define "nest-ms.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "nest-ms.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: nest-ms
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The pods of one app: (dict "ctx" $ "app" "user-service"). */}}
{{- define "nest-ms.selector" -}}
app.kubernetes.io/name: {{ .app }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end -}}

{{- define "nest-ms.appName" -}}
{{- printf "%s-%s" (include "nest-ms.fullname" .ctx) .app | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nest-ms.image" -}}
{{- $img := .ctx.Values.image -}}
{{- $repo := printf "%s%s" $img.repositoryPrefix .app -}}
{{- if $img.registry }}{{ $repo = printf "%s/%s" $img.registry $repo }}{{ end -}}
{{- printf "%s:%s" $repo (default .ctx.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{- define "nest-ms.kafkaName" -}}
{{- printf "%s-kafka" (include "nest-ms.fullname" .) -}}
{{- end -}}

{{- define "nest-ms.kafkaBootstrap" -}}
{{- if eq .Values.kafka.mode "external" -}}
{{- required "kafka.external.bootstrap is required with kafka.mode=external" .Values.kafka.external.bootstrap -}}
{{- else -}}
{{- printf "%s-kafka-bootstrap:9092" (include "nest-ms.kafkaName" .) -}}
{{- end -}}
{{- end -}}

{{/* The CloudNativePG Cluster of one database: (dict "ctx" $ "db" "userdb"). */}}
{{- define "nest-ms.pgCluster" -}}
{{- printf "%s-%s" (include "nest-ms.fullname" .ctx) .db | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret with API_KEY and JWT_SECRET. */}}
{{- define "nest-ms.secretName" -}}
{{- default (printf "%s-secrets" (include "nest-ms.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "nest-ms.hasSecrets" -}}
{{- if or .Values.secrets.existingSecret (and .Values.secrets.apiKey .Values.secrets.jwtSecret) -}}true{{- end -}}
{{- end -}}

{{/*
Production refuses to render without both secrets, as the apps refuse to start without them;
a value given inline must pass the same length rule the apps apply (32 characters).
*/}}
{{- define "nest-ms.checkSecrets" -}}
{{- $s := .Values.secrets -}}
{{- if and .Values.production (not $s.existingSecret) -}}
{{- if not (and $s.apiKey $s.jwtSecret) -}}
{{- fail "production=true needs API_KEY and JWT_SECRET: set secrets.existingSecret (a Secret with the keys API_KEY and JWT_SECRET) or secrets.apiKey and secrets.jwtSecret" -}}
{{- end -}}
{{- end -}}
{{- range $key, $value := dict "secrets.apiKey" $s.apiKey "secrets.jwtSecret" $s.jwtSecret -}}
{{- if and $value (lt (len $value) 32) -}}
{{- fail (printf "%s must be at least 32 characters (the apps refuse shorter secrets in production)" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Which services each app calls over HTTP, as the code does (a test compares it with the apps'
*_SERVICE_URL settings): the NetworkPolicies and the URLs in the ConfigMaps come from it.
*/}}
{{- define "nest-ms.calls" -}}
{"api-gateway": ["user-service", "order-service", "payment-service"], "order-service": ["user-service"]}
{{- end -}}

{{- define "nest-ms.urlVariable" -}}
{{- printf "%s_URL" (. | upper | replace "-" "_") -}}
{{- end -}}

{{- define "nest-ms.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{/* Settings from the app's ConfigMap, secrets from Secrets: (dict "ctx" "app" "spec" "hasSecrets" "name"). */}}
{{- define "nest-ms.env" -}}
{{- $ := .ctx -}}
envFrom:
  - configMapRef:
      name: {{ .name }}-config
env:
  {{- if .hasSecrets }}
  - name: API_KEY
    valueFrom:
      secretKeyRef: { name: {{ include "nest-ms.secretName" $ }}, key: API_KEY }
  {{- if eq .app "api-gateway" }}
  - name: JWT_SECRET
    valueFrom:
      secretKeyRef: { name: {{ include "nest-ms.secretName" $ }}, key: JWT_SECRET }
  {{- end }}
  {{- end }}
  {{- if .spec.database }}
  {{- $secret := printf "%s-app" (include "nest-ms.pgCluster" (dict "ctx" $ "db" .spec.database)) }}
  {{- if eq $.Values.postgres.mode "external" }}
  {{- $secret = required (printf "postgres.external.%s.existingSecret is required with postgres.mode=external" .spec.database) (get $.Values.postgres.external .spec.database).existingSecret }}
  {{- end }}
  - name: DB_USERNAME
    valueFrom:
      secretKeyRef: { name: {{ $secret }}, key: username }
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: { name: {{ $secret }}, key: password }
  {{- end }}
  - name: OTEL_SERVICE_NAME
    value: {{ .app }}
{{- end -}}
