-- Clause 7 Support.

isms.rule {
  id = "7.5-records-valid", clause = "7.5.2", severity = "minor",
  title = "ISMS records are readable and complete",
  rationale = "7.5.2 requires documented information in an appropriate format; a record that cannot be read is evidence that does not exist.",
  remediation = "Fix the file at the line shown: the message says what is wrong (syntax, a misspelt or missing field, a wrong value).",
  check = function(r)
    for _, p in ipairs(r:problems()) do
      local at = p.file and isms.location(p.file, p.line)
      local report = p.note and r.warn or r.fail
      if at then report(r, at, p.message) else report(r, p.message) end
    end
  end,
}
