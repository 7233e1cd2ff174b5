/** The objects the operations send: the kinds and fields the operator, helm charts and the sandbox use. `NS` is the operation's namespace. */

export const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/shop:1.4
          ports: [{containerPort: 8080, name: http}]
          resources:
            requests: {cpu: "0.5", memory: 1024Mi}
            limits: {cpu: 1000m, memory: 1.5Gi, ephemeral-storage: 2048M}
          readinessProbe: {httpGet: {path: /healthz, port: http}}
          livenessProbe: {tcpSocket: {port: 8080}}
`;

export const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 0
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: mysql
          image: mysql:8.4
          resources: {requests: {cpu: "0.25", memory: 512Mi}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
`;

export const services = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 3306, name: mysql}]
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

export const pod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: busybox
      command: [sleep, "3600"]
      resources: {limits: {cpu: "0.1", memory: 64Mi}}
`;

export const job = `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36, command: ["true"]}]
`;

export const smallObjects = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {conf: "yes"}}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1024Mi}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 8080}]}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader}
spec: {holderIdentity: op-1, leaseDurationSeconds: 15}
`;

export const configMap = (name: string, labels = '{conf: "yes"}'): string => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, labels: ${labels}}
data: {a: "1"}
`;

/** A valid CRD whose one CEL rule walks an unbounded list three times over: its estimated cost is far over the budget. */
export const overCostCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: costlies.conformance.webstack.dev}
spec:
  group: conformance.webstack.dev
  scope: Namespaced
  names: {plural: costlies, singular: costly, kind: Costly}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                words: {type: array, items: {type: string}}
              x-kubernetes-validations:
                - rule: "self.words.all(a, self.words.all(b, self.words.all(c, a + b + c != '')))"
`;

/** A chart as small as can show helm 4's install path: a plain object and a pre-install hook that helm waits for. */
export const hookChart: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: hooked\nversion: 0.1.0\n',
  'templates/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}-config"}\ndata: {a: "1"}\n',
  'templates/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: "{{ .Release.Name }}"}\nspec: {ports: [{port: 80}]}\n',
  'templates/hook.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: "{{ .Release.Name }}-hook"',
    '  annotations: {"helm.sh/hook": pre-install, "helm.sh/hook-delete-policy": before-hook-creation}',
    'data: {b: "2"}',
    '',
  ].join('\n'),
};
