{{- define "tandem.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tandem.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "tandem.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "tandem.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tandem.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "tandem.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "tandem.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tandem.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "tandem.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "tandem.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end -}}

{{- define "tandem.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tandem.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tandem.redisName" -}}
{{- printf "%s-redis" (include "tandem.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Refuses combinations that cannot work, at render time rather than in a crash loop. */}}
{{- define "tandem.validate" -}}
{{- $modes := list "oidc" "token" "proxy" "dev" -}}
{{- if not (has .Values.auth.mode $modes) -}}
{{- fail (printf "auth.mode must be one of oidc, token, proxy, dev (got %q)" .Values.auth.mode) -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "oidc") (or (not .Values.auth.oidc.issuer) (not .Values.auth.oidc.clientId)) -}}
{{- fail "auth.mode=oidc needs auth.oidc.issuer and auth.oidc.clientId" -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "oidc") (not .Values.auth.oidc.clientSecret.existingSecret) -}}
{{- fail "auth.mode=oidc needs auth.oidc.clientSecret.existingSecret: the client secret is read from a Secret" -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "proxy") (not .Values.auth.proxy.trustedProxies) -}}
{{- fail "auth.mode=proxy needs auth.proxy.trustedProxies (the authenticating proxies' addresses)" -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "dev") (not .Values.auth.devForce) -}}
{{- fail "auth.mode=dev lets anyone who reaches the Service type any name; set auth.devForce=true only on a network that is yours alone" -}}
{{- end -}}
{{- $stores := 0 -}}
{{- if or .Values.redis.url .Values.redis.urlSecret.existingSecret }}{{ $stores = add1 $stores }}{{ end -}}
{{- if .Values.redis.inChart.enabled }}{{ $stores = add1 $stores }}{{ end -}}
{{- if and .Values.redis.sentinels (or .Values.redis.url .Values.redis.urlSecret.existingSecret) }}{{ $stores = 1 }}{{ end -}}
{{- if and .Values.redis.sentinels (not (or .Values.redis.url .Values.redis.urlSecret.existingSecret)) }}{{ $stores = add1 $stores }}{{ end -}}
{{- if gt $stores 1 -}}
{{- fail "choose one store: redis.url (with redis.sentinels for Sentinel), or redis.inChart.enabled" -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (eq $stores 0) -}}
{{- fail "replicaCount > 1 needs a shared Redis: set redis.url, redis.sentinels or redis.inChart.enabled" -}}
{{- end -}}
{{- end -}}

{{/* KUBECONFIG for the mounted Secret: its listed keys, or (no keys listed) one file per key is not knowable at render time, so the Secret must name them. */}}
{{- define "tandem.kubeconfigPaths" -}}
{{- $paths := list -}}
{{- range .Values.kubeconfigs.keys }}{{ $paths = append $paths (printf "/etc/tandem/kubeconfig/%s" .) }}{{ end -}}
{{- if not $paths }}{{ $paths = list "/etc/tandem/kubeconfig/config" }}{{ end -}}
{{- join ":" $paths -}}
{{- end -}}
