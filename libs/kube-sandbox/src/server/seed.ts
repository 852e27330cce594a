import { kubeTime, metadataOf, type KubeObject } from './object.js';
import { findResourceType, type ResourceType } from './resources.js';
import type { Store } from './store.js';

/** The demo namespace where the seeded applications live. */
export const DEMO_NAMESPACE = 'shop';

function typeOf(group: string, name: string): ResourceType {
  const type = findResourceType(group, 'v1', name);
  if (!type) throw new Error(`the resource table lacks ${group}/v1 ${name}, which the demo data needs`);
  return type;
}

interface Workload {
  name: string;
  hash: string;
  replicas: number;
  labels: Record<string, string>;
  podSpec: Record<string, unknown>;
  podSuffixes: string[];
}

const WEB: Workload = {
  name: 'web',
  hash: '7d9c5b8f6d',
  replicas: 2,
  labels: { app: 'web', tier: 'frontend' },
  podSuffixes: ['x2k9p', 'q7m4z'],
  podSpec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'BACKEND_URL', value: 'http://worker.shop.svc:8080' },
        ],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/nginx/conf.d', readOnly: true },
          { name: 'logs', mountPath: '/var/log/nginx' },
        ],
      },
      {
        name: 'log-shipper',
        image: 'fluent/fluent-bit:3.1',
        ports: [{ name: 'metrics', containerPort: 2020, protocol: 'TCP' }],
        env: [
          { name: 'FLUENT_LOG_LEVEL', value: 'warn' },
          { name: 'SHIP_TO', value: 'logs.shop.svc:24224' },
        ],
        volumeMounts: [{ name: 'logs', mountPath: '/var/log/nginx', readOnly: true }],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'web-config' } },
      { name: 'logs', emptyDir: {} },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
  },
};

const WORKER: Workload = {
  name: 'worker',
  hash: '5f6b8d4c7b',
  replicas: 1,
  labels: { app: 'worker', tier: 'backend' },
  podSuffixes: ['m8w3r'],
  podSpec: {
    containers: [
      {
        name: 'worker',
        image: 'python:3.12-slim',
        command: ['python', '-m', 'http.server', '8080'],
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: [
          { name: 'QUEUE', value: 'orders' },
          { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-credentials', key: 'api-token' } } },
        ],
        envFrom: [{ configMapRef: { name: 'worker-config' } }],
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
  },
};

function owner(kind: string, apiVersion: string, object: KubeObject): Record<string, unknown> {
  const metadata = metadataOf(object);
  return { apiVersion, kind, name: metadata['name'], uid: metadata['uid'], controller: true, blockOwnerDeletion: true };
}

function deploymentStatus(replicas: number, rsName: string, now: string): Record<string, unknown> {
  return {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: 'Available', status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
      { type: 'Progressing', status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` },
    ],
  };
}

let eventCounter = 0;

function event(store: Store, involved: KubeObject, kind: string, apiVersion: string, reason: string, message: string, component: string, now: string): void {
  const metadata = metadataOf(involved);
  eventCounter++;
  store.insert(typeOf('', 'events'), {
    metadata: { name: `${String(metadata['name'])}.${(0x17f3a0000000 + eventCounter).toString(16)}`, namespace: metadata['namespace'] },
    involvedObject: { kind, namespace: metadata['namespace'], name: metadata['name'], uid: metadata['uid'], apiVersion, resourceVersion: metadata['resourceVersion'] },
    reason,
    message,
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: component,
    reportingInstance: '',
  });
}

function seedWorkload(store: Store, workload: Workload, now: string): void {
  const { name, hash, replicas, labels } = workload;
  const rsName = `${name}-${hash}`;
  const deployment = store.insert(typeOf('apps', 'deployments'), {
    metadata: { name, namespace: DEMO_NAMESPACE, labels, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: workload.podSpec },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: deploymentStatus(replicas, rsName, now),
  });
  const podLabels = { app: name, 'pod-template-hash': hash };
  const replicaSet = store.insert(typeOf('apps', 'replicasets'), {
    metadata: {
      name: rsName,
      namespace: DEMO_NAMESPACE,
      labels: podLabels,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [owner('Deployment', 'apps/v1', deployment)],
    },
    spec: { replicas, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: workload.podSpec } },
    status: { observedGeneration: 1, replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  });
  event(store, deployment, 'Deployment', 'apps/v1', 'ScalingReplicaSet', `Scaled up replica set ${rsName} to ${replicas}`, 'deployment-controller', now);
  workload.podSuffixes.forEach((suffix, index) => {
    const podName = `${rsName}-${suffix}`;
    const containers = (workload.podSpec['containers'] as { name: string; image: string }[]).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    }));
    const pod = store.insert(typeOf('', 'pods'), {
      metadata: { name: podName, namespace: DEMO_NAMESPACE, labels: podLabels, ownerReferences: [owner('ReplicaSet', 'apps/v1', replicaSet)] },
      spec: { ...workload.podSpec, nodeName: 'sandbox-node', serviceAccountName: 'default' },
      status: {
        phase: 'Running',
        hostIP: '10.0.0.2',
        podIP: `10.244.0.${10 + index + (name === 'web' ? 0 : 20)}`,
        startTime: now,
        // As a real API server computes it: containers without requests or limits are BestEffort.
        qosClass: (workload.podSpec['containers'] as { resources?: unknown }[]).some((c) => c.resources !== undefined) ? 'Burstable' : 'BestEffort',
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: containers,
      },
    });
    event(store, replicaSet, 'ReplicaSet', 'apps/v1', 'SuccessfulCreate', `Created pod: ${podName}`, 'replicaset-controller', now);
    event(store, pod, 'Pod', 'v1', 'Started', `Started container ${containers[0]?.name ?? name}`, 'kubelet', now);
  });
  const port = (workload.podSpec['containers'] as { ports: { containerPort: number }[] }[])[0]?.ports[0]?.containerPort ?? 80;
  store.insert(typeOf('', 'services'), {
    metadata: { name, namespace: DEMO_NAMESPACE, labels },
    spec: {
      type: 'ClusterIP',
      selector: { app: name },
      ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
      clusterIP: name === 'web' ? '10.96.12.40' : '10.96.12.41',
      clusterIPs: [name === 'web' ? '10.96.12.40' : '10.96.12.41'],
      sessionAffinity: 'None',
    },
  });
}

/** Demo data: namespaces, two Deployments with their ReplicaSets, Pods, Events, Services, ConfigMaps and a Secret. */
export function seedDemoData(store: Store): void {
  const now = kubeTime();
  for (const name of ['default', 'kube-system', DEMO_NAMESPACE]) {
    store.insert(typeOf('', 'namespaces'), { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] } });
    store.insert(typeOf('', 'serviceaccounts'), { metadata: { name: 'default', namespace: name } });
  }
  store.insert(typeOf('', 'configmaps'), {
    metadata: { name: 'web-config', namespace: DEMO_NAMESPACE, labels: { app: 'web' } },
    data: {
      'default.conf': 'server {\n  listen 80;\n  location / {\n    root /usr/share/nginx/html;\n  }\n  location /api/ {\n    proxy_pass http://worker:8080/;\n  }\n}\n',
      'feature-flags': 'checkout=on\nrecommendations=off\n',
    },
  });
  store.insert(typeOf('', 'configmaps'), {
    metadata: { name: 'worker-config', namespace: DEMO_NAMESPACE, labels: { app: 'worker' } },
    data: { BATCH_SIZE: '50', RETRY_LIMIT: '3' },
  });
  store.insert(typeOf('', 'secrets'), {
    metadata: { name: 'web-credentials', namespace: DEMO_NAMESPACE, labels: { app: 'web' } },
    type: 'Opaque',
    data: { 'api-token': Buffer.from('sandbox-api-token').toString('base64'), password: Buffer.from('not-a-real-password').toString('base64') },
  });
  seedWorkload(store, WEB, now);
  seedWorkload(store, WORKER, now);
}
