package demoapi

import (
	"fmt"
	"strings"
	"time"
)

// Table sizes of the generated data set.
const (
	NumUsers    = 10
	NumPosts    = 100 // 10 per user
	NumComments = 500 // 5 per post
	NumTodos    = 200 // 20 per user
)

// splitmix is the SplitMix64 generator: a fixed, documented sequence for a
// given seed, so the data set never changes between Go releases.
type splitmix struct{ state uint64 }

func newSplitmix(seed uint64) *splitmix { return &splitmix{state: seed} }

func (r *splitmix) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *splitmix) intn(n int) int { return int(r.next() % uint64(n)) }

var lorem = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do
	eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis
	nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure
	in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat
	cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum
	accusamus iusto odio dignissimos ducimus blanditiis praesentium voluptatum deleniti atque
	corrupti quos dolores quas molestias excepturi occaecati cupiditate provident similique`)

// words returns n lower-case lorem ipsum words separated by spaces.
func (r *splitmix) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = lorem[r.intn(len(lorem))]
	}
	return strings.Join(w, " ")
}

// paragraph returns lines of lorem ipsum joined by "\n", like JSONPlaceholder's bodies.
func (r *splitmix) paragraph(lines int) string {
	l := make([]string, lines)
	for i := range l {
		l[i] = r.words(6 + r.intn(6))
	}
	return strings.Join(l, "\n")
}

// absent marks a field that a generated user does not have at all (as
// opposed to nil, which is an explicit JSON null).
type absent struct{}

type seedUser struct {
	name, username, email  string
	phone, website         any // string, nil (null) or absent{}
	street, suite, city    string
	zipcode, lat, lng      string
	companyName, catchword string
}

// seedUsers are the ten users. Phone and website are null or missing for a
// few of them so that NULL handling is exercised; cities repeat so that
// grouping by city is interesting.
var seedUsers = []seedUser{
	{"Ada Lovelace", "ada", "ada@lovelace.example", "1-770-736-8031 x56442", "lovelace.example",
		"Kulas Light", "Apt. 556", "London", "92998-3874", "51.5072", "-0.1276",
		"Analytical Engines", "Multi-layered client-server neural-net"},
	{"Alan Turing", "aturing", "alan@turing.example", "010-692-6593 x09125", "turing.example",
		"Victor Plains", "Suite 879", "Manchester", "90566-7771", "53.4808", "-2.2426",
		"Bombe Works", "Proactive didactic contingency"},
	{"Grace Hopper", "ghopper", "grace@hopper.example", nil, "hopper.example",
		"Douglas Extension", "Suite 847", "New York", "59590-4157", "40.7128", "-74.0060",
		"Compiler Corp", "Face to face bifurcated interface"},
	{"Edsger Dijkstra", "ewd", "edsger@dijkstra.example", "1-463-123-4447", "dijkstra.example",
		"Hoeger Mall", "Apt. 692", "Austin", "53919-4257", "30.2672", "-97.7431",
		"Shortest Path", "Multi-tiered zero tolerance productivity"},
	{"Barbara Liskov", "bliskov", "barbara@liskov.example", "(254)954-1289", "liskov.example",
		"Skiles Walks", "Suite 351", "Boston", "33263", "42.3601", "-71.0589",
		"Substitution Systems", "User-centric fault-tolerant solution"},
	{"Donald Knuth", "dek", "don@knuth.example", "1-477-935-8478 x6430", absent{},
		"Norberto Crossing", "Apt. 950", "Stanford", "23505-1337", "37.4275", "-122.1697",
		"Literate Programs", "Synchronised bottom-line interface"},
	{"Margaret Hamilton", "mhamilton", "margaret@hamilton.example", "210.067.6132", nil,
		"Rex Trail", "Suite 280", "Boston", "58804-1099", "42.3736", "-71.1097",
		"Apollo Guidance", "Configurable multimedia task-force"},
	{"Ken Thompson", "ken", "ken@thompson.example", absent{}, "thompson.example",
		"Ellsworth Summit", "Suite 729", "Berkeley", "45169", "37.8715", "-122.2730",
		"Bell Labs Unix", "Implemented secondary concept"},
	{"Frances Allen", "fallen", "fran@allen.example", "024-648-3804", "allen.example",
		"Dayna Park", "Suite 449", "New York", "76495-3109", "40.7306", "-73.9352",
		"Optimizing Compilers", "Switchable contextually-based project"},
	{"John McCarthy", "jmc", "john@mccarthy.example", "586.493.6943 x140", "mccarthy.example",
		"Kattie Turnpike", "Suite 198", "Stanford", "31428-2261", "37.4241", "-122.1661",
		"Lisp Machines", "Centralized empowering task-force"},
}

var firstNames = []string{"Eliseo", "Jayne", "Nikita", "Lew", "Hayden", "Presley", "Dallas", "Mallory", "Meghan", "Carmen"}
var lastNames = []string{"Kuhn", "Mueller", "Garfield", "Alysha", "Althea", "Hodkiewicz", "Brekke", "Kunze", "Lebsack", "Keeling"}
var mailDomains = []string{"gardner.example", "sydney.example", "jewel.example", "kiana.example", "dana.example"}

// dueBase is the first todo's reference date.
var dueBase = time.Date(2024, time.January, 1, 9, 0, 0, 0, time.UTC)

// generate builds a fresh copy of the demo data set. It is deterministic:
// every call returns the same values.
func generate() map[string][]map[string]any {
	users := make([]map[string]any, 0, NumUsers)
	for i, u := range seedUsers {
		row := map[string]any{
			"id":       i + 1,
			"name":     u.name,
			"username": u.username,
			"email":    u.email,
			"address": map[string]any{
				"street":  u.street,
				"suite":   u.suite,
				"city":    u.city,
				"zipcode": u.zipcode,
				"geo":     map[string]any{"lat": u.lat, "lng": u.lng},
			},
			"company": map[string]any{"name": u.companyName, "catchPhrase": u.catchword},
		}
		if _, missing := u.phone.(absent); !missing {
			row["phone"] = u.phone
		}
		if _, missing := u.website.(absent); !missing {
			row["website"] = u.website
		}
		users = append(users, row)
	}

	r := newSplitmix(20240101)
	posts := make([]map[string]any, 0, NumPosts)
	for id := 1; id <= NumPosts; id++ {
		posts = append(posts, map[string]any{
			"id":     id,
			"userId": (id-1)/(NumPosts/NumUsers) + 1,
			"title":  r.words(3 + r.intn(6)),
			"body":   r.paragraph(4),
		})
	}

	comments := make([]map[string]any, 0, NumComments)
	for id := 1; id <= NumComments; id++ {
		first, last := firstNames[r.intn(len(firstNames))], lastNames[r.intn(len(lastNames))]
		comments = append(comments, map[string]any{
			"id":     id,
			"postId": (id-1)/(NumComments/NumPosts) + 1,
			"name":   r.words(3 + r.intn(5)),
			"email":  fmt.Sprintf("%s_%s@%s", first, last, mailDomains[r.intn(len(mailDomains))]),
			"body":   r.paragraph(3),
		})
	}

	todos := make([]map[string]any, 0, NumTodos)
	for id := 1; id <= NumTodos; id++ {
		var due any // every tenth todo has no due date
		if id%10 != 0 {
			due = dueBase.AddDate(0, 0, (id*37)%365).Add(time.Duration(id%8) * time.Hour).Format(time.RFC3339)
		}
		todos = append(todos, map[string]any{
			"id":        id,
			"userId":    (id-1)/(NumTodos/NumUsers) + 1,
			"title":     r.words(2 + r.intn(5)),
			"completed": r.intn(5) < 2,
			"dueDate":   due,
		})
	}

	return map[string][]map[string]any{"users": users, "posts": posts, "comments": comments, "todos": todos}
}
