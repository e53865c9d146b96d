/**
 * core/v1 Pod and the messages under it. Conventions: schema-meta.ts. Volume sources cover the
 * ones still in use (hostPath, emptyDir, secret, nfs, persistentVolumeClaim, downwardAPI,
 * configMap, projected, csi, ephemeral, image); the deprecated in-tree ones are left out, so a
 * pod using one is refused as an unknown field rather than losing it silently.
 */
export const POD_V1_PROTO = `
syntax = "proto2";
package k8s.io.api.core.v1;

message Pod {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
  optional PodStatus status = 3;
}

message PodSpec {
  repeated Volume volumes = 1;
  repeated Container initContainers = 20;
  repeated Container containers = 2;
  repeated EphemeralContainer ephemeralContainers = 34;
  optional string restartPolicy = 3;
  optional int64 terminationGracePeriodSeconds = 4 [(emit_zero) = true];
  optional int64 activeDeadlineSeconds = 5 [(emit_zero) = true];
  optional string dnsPolicy = 6;
  map<string, string> nodeSelector = 7;
  optional string serviceAccountName = 8;
  optional string serviceAccount = 9;
  optional bool automountServiceAccountToken = 21 [(emit_zero) = true];
  optional string nodeName = 10;
  optional bool hostNetwork = 11;
  optional bool hostPID = 12;
  optional bool hostIPC = 13;
  optional bool shareProcessNamespace = 27 [(emit_zero) = true];
  optional PodSecurityContext securityContext = 14;
  repeated LocalObjectReference imagePullSecrets = 15;
  optional string hostname = 16;
  optional string subdomain = 17;
  optional Affinity affinity = 18;
  optional string schedulerName = 19;
  repeated Toleration tolerations = 22;
  repeated HostAlias hostAliases = 23;
  optional string priorityClassName = 24;
  optional int32 priority = 25 [(emit_zero) = true];
  optional PodDNSConfig dnsConfig = 26;
  repeated PodReadinessGate readinessGates = 28;
  optional string runtimeClassName = 29 [(emit_zero) = true];
  optional bool enableServiceLinks = 30 [(emit_zero) = true];
  optional string preemptionPolicy = 31 [(emit_zero) = true];
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> overhead = 32;
  repeated TopologySpreadConstraint topologySpreadConstraints = 33;
  optional bool setHostnameAsFQDN = 35 [(emit_zero) = true];
  optional PodOS os = 36;
  optional bool hostUsers = 37 [(emit_zero) = true];
  repeated PodSchedulingGate schedulingGates = 38;
  repeated PodResourceClaim resourceClaims = 39;
  optional ResourceRequirements resources = 40;
  optional string hostnameOverride = 41 [(emit_zero) = true];
  optional WorkloadReference workloadRef = 42;
}

// Also the inlined EphemeralContainerCommon, which repeats these fields and numbers.
message Container {
  optional string name = 1 [(emit_zero) = true];
  optional string image = 2;
  repeated string command = 3;
  repeated string args = 4;
  optional string workingDir = 5;
  repeated ContainerPort ports = 6;
  repeated EnvFromSource envFrom = 19;
  repeated EnvVar env = 7;
  optional ResourceRequirements resources = 8;
  repeated ContainerResizePolicy resizePolicy = 23;
  optional string restartPolicy = 24 [(emit_zero) = true];
  repeated ContainerRestartRule restartPolicyRules = 25;
  repeated VolumeMount volumeMounts = 9;
  repeated VolumeDevice volumeDevices = 21;
  optional Probe livenessProbe = 10;
  optional Probe readinessProbe = 11;
  optional Probe startupProbe = 22;
  optional Lifecycle lifecycle = 12;
  optional string terminationMessagePath = 13;
  optional string terminationMessagePolicy = 20;
  optional string imagePullPolicy = 14;
  optional SecurityContext securityContext = 15;
  optional bool stdin = 16;
  optional bool stdinOnce = 17;
  optional bool tty = 18;
}

message EphemeralContainer {
  optional Container ephemeralContainerCommon = 1 [(inline) = true];
  optional string targetContainerName = 2;
}

message ContainerPort {
  optional string name = 1;
  optional int32 hostPort = 2;
  optional int32 containerPort = 3 [(emit_zero) = true];
  optional string protocol = 4;
  optional string hostIP = 5;
}

message EnvFromSource {
  optional string prefix = 1;
  optional ConfigMapEnvSource configMapRef = 2;
  optional SecretEnvSource secretRef = 3;
}

message ConfigMapEnvSource {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional bool optional = 2 [(emit_zero) = true];
}

message SecretEnvSource {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional bool optional = 2 [(emit_zero) = true];
}

message EnvVar {
  optional string name = 1 [(emit_zero) = true];
  optional string value = 2;
  optional EnvVarSource valueFrom = 3;
}

message EnvVarSource {
  optional ObjectFieldSelector fieldRef = 1;
  optional ResourceFieldSelector resourceFieldRef = 2;
  optional ConfigMapKeySelector configMapKeyRef = 3;
  optional SecretKeySelector secretKeyRef = 4;
  optional FileKeySelector fileKeyRef = 5;
}

message ObjectFieldSelector {
  optional string apiVersion = 1;
  optional string fieldPath = 2 [(emit_zero) = true];
}

message ResourceFieldSelector {
  optional string containerName = 1;
  optional string resource = 2 [(emit_zero) = true];
  optional .k8s.io.apimachinery.pkg.api.resource.Quantity divisor = 3;
}

message ConfigMapKeySelector {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional string key = 2 [(emit_zero) = true];
  optional bool optional = 3 [(emit_zero) = true];
}

message SecretKeySelector {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional string key = 2 [(emit_zero) = true];
  optional bool optional = 3 [(emit_zero) = true];
}

message FileKeySelector {
  optional string volumeName = 1 [(emit_zero) = true];
  optional string path = 2 [(emit_zero) = true];
  optional string key = 3 [(emit_zero) = true];
  optional bool optional = 4 [(emit_zero) = true];
}

message ResourceRequirements {
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 1;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> requests = 2;
  repeated ResourceClaim claims = 3;
}

message ResourceClaim {
  optional string name = 1 [(emit_zero) = true];
  optional string request = 2;
}

message ContainerResizePolicy {
  optional string resourceName = 1 [(emit_zero) = true];
  optional string restartPolicy = 2 [(emit_zero) = true];
}

message ContainerRestartRule {
  optional string action = 1 [(emit_zero) = true];
  optional ContainerRestartRuleOnExitCodes exitCodes = 2;
}

message ContainerRestartRuleOnExitCodes {
  optional string operator = 1 [(emit_zero) = true];
  repeated int32 values = 2;
}

message VolumeMount {
  optional string name = 1 [(emit_zero) = true];
  optional bool readOnly = 2;
  optional string recursiveReadOnly = 7 [(emit_zero) = true];
  optional string mountPath = 3 [(emit_zero) = true];
  optional string subPath = 4;
  optional string mountPropagation = 5 [(emit_zero) = true];
  optional string subPathExpr = 6;
}

message VolumeDevice {
  optional string name = 1 [(emit_zero) = true];
  optional string devicePath = 2 [(emit_zero) = true];
}

message Probe {
  optional ProbeHandler handler = 1 [(inline) = true];
  optional int32 initialDelaySeconds = 2;
  optional int32 timeoutSeconds = 3;
  optional int32 periodSeconds = 4;
  optional int32 successThreshold = 5;
  optional int32 failureThreshold = 6;
  optional int64 terminationGracePeriodSeconds = 7 [(emit_zero) = true];
}

message ProbeHandler {
  optional ExecAction exec = 1;
  optional HTTPGetAction httpGet = 2;
  optional TCPSocketAction tcpSocket = 3;
  optional GRPCAction grpc = 4;
}

message ExecAction {
  repeated string command = 1;
}

message HTTPGetAction {
  optional string path = 1;
  optional .k8s.io.apimachinery.pkg.util.intstr.IntOrString port = 2;
  optional string host = 3;
  optional string scheme = 4;
  repeated HTTPHeader httpHeaders = 5;
}

message HTTPHeader {
  optional string name = 1 [(emit_zero) = true];
  optional string value = 2 [(emit_zero) = true];
}

message TCPSocketAction {
  optional .k8s.io.apimachinery.pkg.util.intstr.IntOrString port = 1;
  optional string host = 2;
}

message GRPCAction {
  optional int32 port = 1 [(emit_zero) = true];
  optional string service = 2 [(emit_zero) = true];
}

message Lifecycle {
  optional LifecycleHandler postStart = 1;
  optional LifecycleHandler preStop = 2;
  optional string stopSignal = 3 [(emit_zero) = true];
}

message LifecycleHandler {
  optional ExecAction exec = 1;
  optional HTTPGetAction httpGet = 2;
  optional TCPSocketAction tcpSocket = 3;
  optional SleepAction sleep = 4;
}

message SleepAction {
  optional int64 seconds = 1 [(emit_zero) = true];
}

message SecurityContext {
  optional Capabilities capabilities = 1;
  optional bool privileged = 2 [(emit_zero) = true];
  optional SELinuxOptions seLinuxOptions = 3;
  optional WindowsSecurityContextOptions windowsOptions = 10;
  optional int64 runAsUser = 4 [(emit_zero) = true];
  optional int64 runAsGroup = 8 [(emit_zero) = true];
  optional bool runAsNonRoot = 5 [(emit_zero) = true];
  optional bool readOnlyRootFilesystem = 6 [(emit_zero) = true];
  optional bool allowPrivilegeEscalation = 7 [(emit_zero) = true];
  optional string procMount = 9 [(emit_zero) = true];
  optional SeccompProfile seccompProfile = 11;
  optional AppArmorProfile appArmorProfile = 12;
  repeated Ulimit ulimits = 13;
}

message Ulimit {
  optional string name = 1 [(emit_zero) = true];
  optional int64 hard = 2 [(emit_zero) = true];
  optional int64 soft = 3 [(emit_zero) = true];
}

message Capabilities {
  repeated string add = 1;
  repeated string drop = 2;
}

message SELinuxOptions {
  optional string user = 1;
  optional string role = 2;
  optional string type = 3;
  optional string level = 4;
}

message WindowsSecurityContextOptions {
  optional string gmsaCredentialSpecName = 1 [(emit_zero) = true];
  optional string gmsaCredentialSpec = 2 [(emit_zero) = true];
  optional string runAsUserName = 3 [(emit_zero) = true];
  optional bool hostProcess = 4 [(emit_zero) = true];
}

message SeccompProfile {
  optional string type = 1 [(emit_zero) = true];
  optional string localhostProfile = 2 [(emit_zero) = true];
}

message AppArmorProfile {
  optional string type = 1 [(emit_zero) = true];
  optional string localhostProfile = 2 [(emit_zero) = true];
}

message PodSecurityContext {
  optional SELinuxOptions seLinuxOptions = 1;
  optional WindowsSecurityContextOptions windowsOptions = 8;
  optional int64 runAsUser = 2 [(emit_zero) = true];
  optional int64 runAsGroup = 6 [(emit_zero) = true];
  optional bool runAsNonRoot = 3 [(emit_zero) = true];
  repeated int64 supplementalGroups = 4;
  optional string supplementalGroupsPolicy = 12 [(emit_zero) = true];
  optional int64 fsGroup = 5 [(emit_zero) = true];
  repeated Sysctl sysctls = 7;
  optional string fsGroupChangePolicy = 9 [(emit_zero) = true];
  optional SeccompProfile seccompProfile = 10;
  optional AppArmorProfile appArmorProfile = 11;
  optional string seLinuxChangePolicy = 13 [(emit_zero) = true];
}

message Sysctl {
  optional string name = 1 [(emit_zero) = true];
  optional string value = 2 [(emit_zero) = true];
}

message Affinity {
  optional NodeAffinity nodeAffinity = 1;
  optional PodAffinity podAffinity = 2;
  optional PodAntiAffinity podAntiAffinity = 3;
}

message NodeAffinity {
  optional NodeSelector requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated PreferredSchedulingTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message NodeSelector {
  repeated NodeSelectorTerm nodeSelectorTerms = 1;
}

message NodeSelectorTerm {
  repeated NodeSelectorRequirement matchExpressions = 1;
  repeated NodeSelectorRequirement matchFields = 2;
}

message NodeSelectorRequirement {
  optional string key = 1 [(emit_zero) = true];
  optional string operator = 2 [(emit_zero) = true];
  repeated string values = 3;
}

message PreferredSchedulingTerm {
  optional int32 weight = 1 [(emit_zero) = true];
  optional NodeSelectorTerm preference = 2;
}

message PodAffinity {
  repeated PodAffinityTerm requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated WeightedPodAffinityTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message PodAntiAffinity {
  repeated PodAffinityTerm requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated WeightedPodAffinityTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message PodAffinityTerm {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector labelSelector = 1;
  repeated string namespaces = 2;
  optional string topologyKey = 3 [(emit_zero) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector namespaceSelector = 4;
  repeated string matchLabelKeys = 5;
  repeated string mismatchLabelKeys = 6;
}

message WeightedPodAffinityTerm {
  optional int32 weight = 1 [(emit_zero) = true];
  optional PodAffinityTerm podAffinityTerm = 2;
}

message Toleration {
  optional string key = 1;
  optional string operator = 2;
  optional string value = 3;
  optional string effect = 4;
  optional int64 tolerationSeconds = 5 [(emit_zero) = true];
}

message HostAlias {
  optional string ip = 1 [(emit_zero) = true];
  repeated string hostnames = 2;
}

message PodDNSConfig {
  repeated string nameservers = 1;
  repeated string searches = 2;
  repeated PodDNSConfigOption options = 3;
}

message PodDNSConfigOption {
  optional string name = 1;
  optional string value = 2 [(emit_zero) = true];
}

message PodReadinessGate {
  optional string conditionType = 1 [(emit_zero) = true];
}

message TopologySpreadConstraint {
  optional int32 maxSkew = 1 [(emit_zero) = true];
  optional string topologyKey = 2 [(emit_zero) = true];
  optional string whenUnsatisfiable = 3 [(emit_zero) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector labelSelector = 4;
  optional int32 minDomains = 5 [(emit_zero) = true];
  optional string nodeAffinityPolicy = 6 [(emit_zero) = true];
  optional string nodeTaintsPolicy = 7 [(emit_zero) = true];
  repeated string matchLabelKeys = 8;
}

message PodOS {
  optional string name = 1 [(emit_zero) = true];
}

message PodSchedulingGate {
  optional string name = 1 [(emit_zero) = true];
}

message PodResourceClaim {
  optional string name = 1 [(emit_zero) = true];
  optional string resourceClaimName = 3 [(emit_zero) = true];
  optional string resourceClaimTemplateName = 4 [(emit_zero) = true];
}

message WorkloadReference {
  optional string name = 1 [(emit_zero) = true];
  optional string podGroup = 2 [(emit_zero) = true];
  optional string podGroupReplicaKey = 3;
}

message Volume {
  optional string name = 1 [(emit_zero) = true];
  optional VolumeSource volumeSource = 2 [(inline) = true];
}

message VolumeSource {
  optional HostPathVolumeSource hostPath = 1;
  optional EmptyDirVolumeSource emptyDir = 2;
  optional SecretVolumeSource secret = 6;
  optional NFSVolumeSource nfs = 7;
  optional PersistentVolumeClaimVolumeSource persistentVolumeClaim = 10;
  optional DownwardAPIVolumeSource downwardAPI = 16;
  optional ConfigMapVolumeSource configMap = 19;
  optional ProjectedVolumeSource projected = 26;
  optional CSIVolumeSource csi = 28;
  optional EphemeralVolumeSource ephemeral = 29;
  optional ImageVolumeSource image = 30;
}

message HostPathVolumeSource {
  optional string path = 1 [(emit_zero) = true];
  optional string type = 2 [(emit_zero) = true];
}

message EmptyDirVolumeSource {
  optional string medium = 1;
  optional .k8s.io.apimachinery.pkg.api.resource.Quantity sizeLimit = 2;
}

message SecretVolumeSource {
  optional string secretName = 1;
  repeated KeyToPath items = 2;
  optional int32 defaultMode = 3 [(emit_zero) = true];
  optional bool optional = 4 [(emit_zero) = true];
}

message KeyToPath {
  optional string key = 1 [(emit_zero) = true];
  optional string path = 2 [(emit_zero) = true];
  optional int32 mode = 3 [(emit_zero) = true];
}

message NFSVolumeSource {
  optional string server = 1 [(emit_zero) = true];
  optional string path = 2 [(emit_zero) = true];
  optional bool readOnly = 3;
}

message PersistentVolumeClaimVolumeSource {
  optional string claimName = 1 [(emit_zero) = true];
  optional bool readOnly = 2;
}

message DownwardAPIVolumeSource {
  repeated DownwardAPIVolumeFile items = 1;
  optional int32 defaultMode = 2 [(emit_zero) = true];
}

message DownwardAPIVolumeFile {
  optional string path = 1 [(emit_zero) = true];
  optional ObjectFieldSelector fieldRef = 2;
  optional ResourceFieldSelector resourceFieldRef = 3;
  optional int32 mode = 4 [(emit_zero) = true];
}

message ConfigMapVolumeSource {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional int32 defaultMode = 3 [(emit_zero) = true];
  optional bool optional = 4 [(emit_zero) = true];
}

message ProjectedVolumeSource {
  repeated VolumeProjection sources = 1;
  optional int32 defaultMode = 2 [(emit_zero) = true];
}

message VolumeProjection {
  optional SecretProjection secret = 1;
  optional DownwardAPIProjection downwardAPI = 2;
  optional ConfigMapProjection configMap = 3;
  optional ServiceAccountTokenProjection serviceAccountToken = 4;
  optional ClusterTrustBundleProjection clusterTrustBundle = 5;
  optional PodCertificateProjection podCertificate = 6;
}

message SecretProjection {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional bool optional = 4 [(emit_zero) = true];
}

message ConfigMapProjection {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional bool optional = 4 [(emit_zero) = true];
}

message DownwardAPIProjection {
  repeated DownwardAPIVolumeFile items = 1;
}

message ServiceAccountTokenProjection {
  optional string audience = 1;
  optional int64 expirationSeconds = 2 [(emit_zero) = true];
  optional string path = 3 [(emit_zero) = true];
}

message ClusterTrustBundleProjection {
  optional string name = 1 [(emit_zero) = true];
  optional string signerName = 2 [(emit_zero) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector labelSelector = 3;
  optional bool optional = 5 [(emit_zero) = true];
  optional string path = 4 [(emit_zero) = true];
}

message PodCertificateProjection {
  optional string signerName = 1;
  optional string keyType = 2;
  optional int32 maxExpirationSeconds = 3 [(emit_zero) = true];
  optional string credentialBundlePath = 4;
  optional string keyPath = 5;
  optional string certificateChainPath = 6;
  map<string, string> userAnnotations = 7;
}

message CSIVolumeSource {
  optional string driver = 1 [(emit_zero) = true];
  optional bool readOnly = 2 [(emit_zero) = true];
  optional string fsType = 3 [(emit_zero) = true];
  map<string, string> volumeAttributes = 4;
  optional LocalObjectReference nodePublishSecretRef = 5;
}

message EphemeralVolumeSource {
  optional PersistentVolumeClaimTemplate volumeClaimTemplate = 1;
}

message PersistentVolumeClaimTemplate {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PersistentVolumeClaimSpec spec = 2;
}

message PersistentVolumeClaimSpec {
  repeated string accessModes = 1;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 4;
  optional VolumeResourceRequirements resources = 2;
  optional string volumeName = 3;
  optional string storageClassName = 5 [(emit_zero) = true];
  optional string volumeMode = 6 [(emit_zero) = true];
  optional TypedLocalObjectReference dataSource = 7;
  optional TypedObjectReference dataSourceRef = 8;
  optional string volumeAttributesClassName = 9 [(emit_zero) = true];
}

message VolumeResourceRequirements {
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 1;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> requests = 2;
}

message TypedLocalObjectReference {
  optional string apiGroup = 1 [(emit_zero) = true];
  optional string kind = 2 [(emit_zero) = true];
  optional string name = 3 [(emit_zero) = true];
}

message TypedObjectReference {
  optional string apiGroup = 1 [(emit_zero) = true];
  optional string kind = 2 [(emit_zero) = true];
  optional string name = 3 [(emit_zero) = true];
  optional string namespace = 4 [(emit_zero) = true];
}

message ImageVolumeSource {
  optional string reference = 1;
  optional string pullPolicy = 2;
}

message PodStatus {
  optional int64 observedGeneration = 17;
  optional string phase = 1;
  repeated PodCondition conditions = 2;
  optional string message = 3;
  optional string reason = 4;
  optional string nominatedNodeName = 11;
  optional string hostIP = 5;
  repeated HostIP hostIPs = 16;
  optional string podIP = 6;
  repeated PodIP podIPs = 12;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time startTime = 7;
  repeated ContainerStatus initContainerStatuses = 10;
  repeated ContainerStatus containerStatuses = 8;
  optional string qosClass = 9;
  repeated ContainerStatus ephemeralContainerStatuses = 13;
  optional string resize = 14;
  repeated PodResourceClaimStatus resourceClaimStatuses = 15;
  optional PodExtendedResourceClaimStatus extendedResourceClaimStatus = 18;
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> allocatedResources = 19;
  optional ResourceRequirements resources = 20;
}

message PodCondition {
  optional string type = 1 [(emit_zero) = true];
  optional int64 observedGeneration = 7;
  optional string status = 2 [(emit_zero) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastProbeTime = 3;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}

message HostIP {
  optional string ip = 1 [(emit_zero) = true];
}

message PodIP {
  optional string ip = 1 [(emit_zero) = true];
}

message ContainerStatus {
  optional string name = 1 [(emit_zero) = true];
  optional ContainerState state = 2;
  optional ContainerState lastState = 3;
  optional bool ready = 4 [(emit_zero) = true];
  optional int32 restartCount = 5 [(emit_zero) = true];
  optional string image = 6 [(emit_zero) = true];
  optional string imageID = 7 [(emit_zero) = true];
  optional string containerID = 8;
  optional bool started = 9 [(emit_zero) = true];
  map<string, .k8s.io.apimachinery.pkg.api.resource.Quantity> allocatedResources = 10;
  optional ResourceRequirements resources = 11;
  repeated VolumeMountStatus volumeMounts = 12;
  optional ContainerUser user = 13;
  repeated ResourceStatus allocatedResourcesStatus = 14;
  optional string stopSignal = 15 [(emit_zero) = true];
}

message ContainerState {
  optional ContainerStateWaiting waiting = 1;
  optional ContainerStateRunning running = 2;
  optional ContainerStateTerminated terminated = 3;
}

message ContainerStateWaiting {
  optional string reason = 1;
  optional string message = 2;
}

message ContainerStateRunning {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time startedAt = 1;
}

message ContainerStateTerminated {
  optional int32 exitCode = 1 [(emit_zero) = true];
  optional int32 signal = 2;
  optional string reason = 3;
  optional string message = 4;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time startedAt = 5;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.Time finishedAt = 6;
  optional string containerID = 7;
}

message VolumeMountStatus {
  optional string name = 1 [(emit_zero) = true];
  optional string mountPath = 2 [(emit_zero) = true];
  optional bool readOnly = 3;
  optional string recursiveReadOnly = 4 [(emit_zero) = true];
  optional VolumeStatus volumeStatus = 5;
}

message VolumeStatus {
  optional ImageVolumeStatus image = 1;
}

message ImageVolumeStatus {
  optional string imageRef = 1 [(emit_zero) = true];
}

message ContainerUser {
  optional LinuxContainerUser linux = 1;
}

message LinuxContainerUser {
  optional int64 uid = 1 [(emit_zero) = true];
  optional int64 gid = 2 [(emit_zero) = true];
  repeated int64 supplementalGroups = 3;
}

message ResourceStatus {
  optional string name = 1 [(emit_zero) = true];
  repeated ResourceHealth resources = 2;
}

message ResourceHealth {
  optional string resourceID = 1 [(emit_zero) = true];
  optional string health = 2;
  optional string message = 6 [(emit_zero) = true];
}

message PodResourceClaimStatus {
  optional string name = 1 [(emit_zero) = true];
  optional string resourceClaimName = 2 [(emit_zero) = true];
}

message PodExtendedResourceClaimStatus {
  repeated ContainerExtendedResourceRequest requestMappings = 1;
  optional string resourceClaimName = 2 [(emit_zero) = true];
}

message ContainerExtendedResourceRequest {
  optional string containerName = 1 [(emit_zero) = true];
  optional string resourceName = 2 [(emit_zero) = true];
  optional string requestName = 3 [(emit_zero) = true];
}
`;
