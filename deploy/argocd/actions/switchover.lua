-- switchover: a planned switchover to the ready replica with the least lag. It sets
-- spec.database.primary, which the operator carries out (and reports in status.database.lastFailover).
local best = nil
if obj.status ~= nil and obj.status.database ~= nil and obj.status.database.instances ~= nil then
  for _, instance in ipairs(obj.status.database.instances) do
    if instance.role == "replica" and instance.ready then
      local lag = instance.lagSeconds or 0
      if best == nil or lag < (best.lagSeconds or 0) then
        best = instance
      end
    end
  end
end
if best == nil then
  error("no ready replica to switch over to", 0)
end
if obj.spec.database == nil then
  obj.spec.database = {}
end
obj.spec.database.primary = best.name
return obj
