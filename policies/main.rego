# The one entrypoint: every result of every rule of every family.
package ssis.main

results := [r | some fam, name; some r in data.ssis.rules[fam][name]]
