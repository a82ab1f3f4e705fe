-- production-backups.lua - an organisation's own rule, kept beside the
-- shipped packs: every production system in the asset inventory has a
-- named owner who still works here, and a backup younger than a week.
--
-- Run its specs together with the shipped rules:
--   ismsctl test --pack sdk/examples/production-backups sdk/examples/production-backups/specs

-- The newest backup evidence of each asset: asset id -> {day, record},
-- from evidence of one of `kinds` (a list).
local function latest_backups(r, kinds)
  local backup = {}
  for _, kind in ipairs(kinds) do backup[kind] = true end
  local latest = {}
  for _, ev in ipairs(r:records("evidence")) do
    local day = isms.date(ev.date)
    local asset = isms.text(ev, "asset")
    if backup[ev.kind] and asset and day then
      if latest[asset] == nil or day > latest[asset].day then
        latest[asset] = { day = day, record = ev }
      end
    end
  end
  return latest
end

-- The asset has an owner on the personnel register who has not left.
---@param r isms.context
---@param asset isms.record
local function check_owner(r, asset)
  if asset.owner == nil then
    return r:fail(asset, "production system %s (%s) has no owner", asset.id, asset.name)
  end
  local person = r:person(asset.owner)
  if not person then
    return r:fail(asset:at("owner"), "the owner of %s, '%s', is not in the personnel records",
      asset.id, asset.owner)
  end
  local left = isms.date(person.left)
  if left and left <= r.now then
    return r:fail(asset:at("owner"), "the owner of %s, %s, left on %s", asset.id, person.name, left)
  end
  -- The verdict changes on the day the owner leaves.
  if left then r:valid_until(left - 1) end
end

-- The asset's newest backup is at most max_age days old.
local function check_backup(r, asset, backups, max_age)
  local last = backups[asset.id]
  if not last then
    return r:fail(asset, "no backup of production system %s (%s) is recorded", asset.id, asset.name)
  end
  local due = last.day:add_days(max_age)
  r:valid_until(due)
  if r.now > due then
    r:fail(last.record:at("date"), "the last backup of %s was on %s, %d days ago (at most %d allowed)",
      asset.id, last.day, last.day:days_until(r.now), max_age)
  end
end

isms.rule {
  id = "org-production-backups", control = "8.13", severity = "major",
  title = "Every production system has a current owner and a backup younger than a week",
  rationale = "Production systems need someone accountable (A.5.9) and backups recent enough to restore from (A.8.13).",
  remediation = "Name an owner from the personnel register in the asset record, and record each backup as evidence of kind backup-restore-test with `asset:` set to the asset id.",
  -- A parameter's type is that of its default: isms.yaml must give a
  -- whole number above zero here, and a list (or text of kinds separated
  -- by spaces) there.
  params = {
    max_backup_age_days = { default = 7, doc = "days a production system may go without a recorded backup" },
    backup_kinds = { default = { "backup-restore-test" }, doc = "evidence kinds that show a backup was taken" },
  },
  -- As it declares control 8.13, the rule is not applicable when the SoA
  -- excludes A.8.13: the engine decides that before the check runs.
  check = function(r)
    local max_age = r:param("max_backup_age_days")
    local backups = latest_backups(r, r:param("backup_kinds"))
    local production = 0
    for _, asset in ipairs(r:records("asset")) do
      if asset.production == true and asset.retired_on == nil then
        production = production + 1
        check_owner(r, asset)
        check_backup(r, asset, backups, max_age)
      end
    end
    if production == 0 then
      r:not_applicable("the asset inventory lists no production system")
    end
  end,
}
