-- backup: creates a WebStackBackup of this stack, named <stack>-manual-<UTC yyyymmddhhmmss>,
-- labelled like the scheduled ones; the operator takes it from the ready replica with the least lag.
local backup = {}
backup.apiVersion = "webstack.dev/v1alpha1"
backup.kind = "WebStackBackup"
backup.metadata = {}
backup.metadata.name = obj.metadata.name .. "-manual-" .. os.date("!%Y%m%d%H%M%S")
backup.metadata.namespace = obj.metadata.namespace
backup.metadata.labels = {}
backup.metadata.labels["webstack.dev/stack"] = obj.metadata.name
backup.spec = {}
backup.spec.stack = obj.metadata.name

local impacted = {}
impacted[1] = {}
impacted[1].operation = "create"
impacted[1].resource = backup
return impacted
