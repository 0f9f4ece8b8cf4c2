package report

// Sections are the parts of the postmortem a team writes, in the order
// and under the headings of SEAL 911's post-mortem template (Security
// Alliance frameworks, incident-response-template/templates/post-mortem-template):
// the figures the log can give (summary, timeline, detection) are filled
// in above them; what only people know is asked here.
func Sections() []Section {
	return []Section{
		{Title: "Impact", Prompts: []string{
			"Users affected, and for how long",
			"Services unavailable while paused",
			"Funds at risk, and actual losses",
			"Public visibility and coverage",
		}},
		{Title: "Root cause", Prompts: []string{
			"Primary cause: the fundamental reason this happened",
			"Contributing factors",
			"5 whys: why did it happen? (ask why four more times)",
		}},
		{Title: "What went well", Prompts: []string{"What worked in the response (detection, decision, containment, communication)"}},
		{Title: "What went wrong", Prompts: []string{"What failed, was slow or was missing"}},
		{Title: "Where we got lucky", Prompts: []string{"Fortunate circumstances not to rely on next time"}},
		{Title: "Lessons learned", Prompts: []string{
			"Lessons for runbooks: a new runbook needed, an existing one to update, or none",
			"Could we detect faster? Could the policies have acted sooner or narrower?",
		}},
		{Title: "Action items", Prompts: []string{"Every follow-up with an owner, a deadline and a status"}},
		{Title: "Links", Prompts: []string{"Incident log, relevant PRs, dashboards, external references"}},
		{Title: "Meeting notes", Prompts: []string{"Attendees", "Discussion points"}},
	}
}
