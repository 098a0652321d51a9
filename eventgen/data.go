package eventgen

// Word pools of the demo data. Addresses use the documentation ranges
// (RFC 5737, RFC 3849) and domains under .example, so demo data never names
// a real host or person.

// people are the dashboard users: "Name|email local part".
var people = []string{
	"Priya Shah|priya.shah", "Arjun Mehta|arjun.mehta", "Sara Lindqvist|sara.lindqvist",
	"Tomás Herrera|tomas.herrera", "Aisha Bello|aisha.bello", "Wei Chen|wei.chen",
	"Fatima Zahra|fatima.zahra", "Lukas Becker|lukas.becker", "Emily Carter|emily.carter",
	"Rahul Nair|rahul.nair", "Olivia Brown|olivia.brown", "Kenji Sato|kenji.sato",
	"Maria Rossi|maria.rossi", "David Cohen|david.cohen", "Chloé Martin|chloe.martin",
	"Ananya Iyer|ananya.iyer", "James O'Connor|james.oconnor", "Nadia Haddad|nadia.haddad",
	"Sofia Kowalski|sofia.kowalski", "Daniel Kim|daniel.kim", "Grace Okafor|grace.okafor",
	"Mateo García|mateo.garcia", "Hannah Schmidt|hannah.schmidt", "Vikram Rao|vikram.rao",
	"Yuki Tanaka|yuki.tanaka", "Leila Ahmadi|leila.ahmadi", "Ethan Walker|ethan.walker",
	"Isabela Souza|isabela.souza", "Omar Farouk|omar.farouk", "Zoé Dubois|zoe.dubois",
	"Neha Kapoor|neha.kapoor", "Lucas Silva|lucas.silva", "Amara Nwosu|amara.nwosu",
	"Felix Wagner|felix.wagner", "Meera Pillai|meera.pillai", "Jack Thompson|jack.thompson",
	"Elena Petrova|elena.petrova", "Samuel Mensah|samuel.mensah", "Inès Moreau|ines.moreau",
	"Kavya Reddy|kavya.reddy", "Noah Fischer|noah.fischer", "Layla Hassan|layla.hassan",
	"Ravi Menon|ravi.menon", "Clara Jensen|clara.jensen", "Diego Álvarez|diego.alvarez",
	"Mia Novak|mia.novak", "Aditya Joshi|aditya.joshi", "Freya Nilsson|freya.nilsson",
	"Tariq Aziz|tariq.aziz", "Lina Müller|lina.mueller",
}

// candidates are the people joining or leaving in the onboarding module.
var candidates = []string{
	"Rohan Gupta|rohan.gupta", "Emma Wilson|emma.wilson", "Karim Benali|karim.benali",
	"Sneha Kulkarni|sneha.kulkarni", "Liam Murphy|liam.murphy", "Yara Costa|yara.costa",
	"Hiro Yamamoto|hiro.yamamoto", "Anika Bose|anika.bose", "Oscar Larsen|oscar.larsen",
	"Chiara Bianchi|chiara.bianchi", "Kwame Asante|kwame.asante", "Mei Lin|mei.lin",
	"Pablo Ortega|pablo.ortega", "Sana Qureshi|sana.qureshi", "Tom Evans|tom.evans",
	"Ayesha Siddiqui|ayesha.siddiqui", "Jonas Weber|jonas.weber", "Nina Popescu|nina.popescu",
	"Arvind Krishnan|arvind.krishnan", "Lucy Adams|lucy.adams",
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
}

var (
	articles = []string{
		"VPN setup guide", "Expense reimbursement policy", "Parental leave policy",
		"How to reset your SSO password", "Laptop refresh programme", "Travel booking guidelines",
		"Code of conduct", "Remote work policy", "Onboarding checklist for managers",
		"Payroll calendar", "Health insurance FAQ", "Information security basics",
		"Requesting software licences", "Office Wi-Fi access", "Performance review cycle",
		"Relocation assistance", "Holiday calendar", "Printer troubleshooting",
	}
	folders          = []string{"IT", "HR", "Finance", "Legal", "Facilities", "Security", "People Ops"}
	connectors       = []string{"SharePoint", "Confluence", "Google Drive", "ServiceNow", "Notion", "Zendesk Guide"}
	syncFrequencies  = []string{"hour", "6 hours", "12 hours", "day", "week"}
	rejectReasons    = []string{"outdated screenshots", "missing approval from Legal", "duplicate of an existing article", "broken links"}
	approvalMatrices = []string{"HR policies approval", "IT articles approval", "Finance documents approval"}
	audiences        = []string{"All employees", "India employees", "Managers", "New joiners", "Contractors", "EMEA employees"}
	tags             = []string{"policy", "how-to", "benefits", "security", "travel", "it-support", "payroll"}
	languages        = []string{"French", "German", "Hindi", "Spanish", "Japanese", "Arabic", "Portuguese"}
	aiChanges        = []string{"answer generation switched to WorkLM", "citations turned on", "answer length set to concise", "fallback to live agent turned on"}
	dashboardChanges = []string{"global article owner set to %s", "default expiry set to 12 months", "downloads restricted to owners", "publishing restricted to KM editors"}

	userGroups   = []string{"L1 Support", "Payroll Desk", "IT Service Desk", "HR Business Partners", "Facilities Helpdesk", "Escalations"}
	departments  = []string{"IT", "Human Resources", "Finance", "Legal", "Facilities", "Procurement"}
	categories   = []string{"Hardware request", "Access request", "Payroll query", "Leave query", "Travel", "Benefits"}
	slaPolicies  = []string{"P1 incidents", "Standard requests", "VIP requests", "Payroll queries"}
	schemas      = []string{"IT Incident", "HR Request", "Finance Query", "Default"}
	mailboxes    = []string{"support@acme.example", "hr-help@acme.example", "it-desk@acme.example"}
	automations  = []string{"Auto-acknowledge new tickets", "Escalate unanswered tickets after 24h", "Close resolved tickets after 3 days"}
	ticketForms  = []string{"Laptop request", "New joiner access", "Reimbursement claim", "Badge replacement"}
	canned       = []string{"Password reset steps", "Ticket received", "Closing due to inactivity", "Awaiting manager approval"}
	reports      = []string{"Weekly SLA breaches", "Tickets by category", "Agent workload", "CSAT by department"}
	locales      = []string{"fr-FR", "de-DE", "hi-IN", "es-ES", "ja-JP"}
	cmsFields    = []string{"name", "members", "description", "escalation rule", "business hours", "visibility"}
	cmsSettings  = []string{"ticket auto-assignment turned on", "business hours set to 09:00-18:00", "default language set to English", "reopen window set to 7 days"}
	mailSettings = []string{"reply-to address changed", "signature updated", "attachment limit set to 20 MB", "spam filtering turned on"}

	roles          = []string{"Super Admin", "Admin", "KM Editor", "Helpdesk Agent", "Viewer"}
	profileFields  = []string{"phone number", "job title", "manager", "location", "display name"}
	loginFailures  = []string{"invalid password", "SSO assertion expired", "account locked after 5 attempts"}
	stopReasons    = []string{"offer declined", "joining date postponed", "background check failed"}
	resubmitReason = []string{"bank proof is blurred", "PAN number missing", "address does not match ID"}

	onboardingForms    = []string{"Personal details", "Bank details", "Emergency contact", "Tax declaration", "Education history"}
	formStates         = []string{"approved", "pending review", "rejected"}
	tasks              = []string{"Laptop allocation", "Email account creation", "Background verification", "Welcome kit dispatch", "Payroll enrolment", "Access revocation"}
	taskStates         = []string{"done", "blocked", "skipped"}
	actions            = []string{"Create HRIS record", "Provision Okta account", "Send welcome email", "Create Jira ticket", "Revoke Okta account"}
	actionErrors       = []string{"HRIS returned 503", "Okta rate limit exceeded", "invalid manager email", "timeout after 30s"}
	onboardingSettings = []string{"Document checklist", "Joining reminders", "Buddy assignment", "Pre-boarding portal", "Exit interview"}
	permissions        = []string{"approve forms", "add candidates", "edit onboarding settings", "export candidate data"}
	tableFilters       = []string{"joining date", "location", "department", "onboarding status"}
	locations          = []string{"Bengaluru", "London", "New York", "Singapore", "Berlin", "Toronto"}
	uploadFiles        = []string{"joiners_june.xlsx", "campus_hires.csv", "q3_hires.xlsx"}
	failures           = []string{"permission denied", "validation error", "upstream timeout", "conflicting change by another admin"}
)
