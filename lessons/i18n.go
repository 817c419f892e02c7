package lessons

import (
	"net/http"
	"reflect"

	"github.com/sioworkbook/workbook/internal/uilang"
)

// Lang is a language the workbook is written in.
type Lang string

// The languages, in the order the switch shows them. English is the
// default.
const (
	EN Lang = "en"
	ES Lang = "es"
)

// Langs lists every language; each lesson and step has one Markdown file
// per language (lesson.en.md, lesson.es.md).
var Langs = []Lang{EN, ES}

// LangCookie remembers the language a browser chose.
const LangCookie = uilang.Cookie

// langNames are Langs as strings, for package uilang.
var langNames = func() []string {
	out := make([]string, len(Langs))
	for i, l := range Langs {
		out[i] = string(l)
	}
	return out
}()

// chooseLang picks the language of a page: ?lang= (remembered in a
// cookie), then the cookie, then the browser's Accept-Language, then EN.
// The inspector chooses the same way (package uilang).
func chooseLang(w http.ResponseWriter, r *http.Request) Lang {
	return Lang(uilang.Choose(w, r, langNames))
}

// acceptLang returns the language of ours that an Accept-Language header
// ("es-ES,es;q=0.9,en;q=0.8") prefers, or EN.
func acceptLang(header string) Lang { return Lang(uilang.Accept(header, langNames)) }

// ui holds the words of the pages around the lesson text. Every field
// must be set in every language (a test checks).
type ui struct {
	LangName     string // the language's own name
	SiteName     string
	Tagline      string
	SkipToText   string
	Contents     string
	Start        string
	Continue     string // followed by the step's title
	AllDone      string
	Lesson       string // "Lesson %d"
	StepOf       string // "Step %d of %d"
	Steps        string
	Tasks        string
	TasksNote    string
	ServerCode   string
	ServerNote   string
	NodeHint     string
	ServerJS     string // the switch: the learner's server in JavaScript
	ServerGo     string // ... the step's own in Go
	ServerJSNote string
	RunServer    string
	ServerOwn    string // the learner's server.js runs
	ServerDef    string // the step's Go server runs
	ServerLine   string // "server.js, line %d: %s"
	ServerFailed string
	ClientCode   string
	ClientNote   string
	Run          string
	Reset        string
	ShowDone     string
	Edited       string
	Copy         string
	Copied       string
	Clients      string
	ToClients    string
	AddClient    string
	Remove       string
	Reload       string
	Maximise     string
	Hint         string // the first rung of a task's hint ladder
	HintNext     string
	Solution     string
	SolutionNote string // why the solution is not offered yet
	Kept         string // the learner's code, kept aside
	ShowingDone  string
	ShowingStart string
	Compare      string
	RestoreMine  string
	CloseCompare string
	Console      string // a pane's console strip
	ConsoleEmpty string
	LineN        string // "line %d" of client.html
	ClientN      string // "Client %d"
	Loading      string
	Connecting   string
	Connected    string
	Disconnected string
	ConnectError string
	NoSocket     string
	PageError    string
	ServerLog    string
	LogNote      string
	LogEmpty     string
	Faults       string
	FaultsNote   string
	FaultCut     string
	FaultPings   string
	FaultRestart string
	FaultDone    string // "%d clients affected"
	FaultNone    string
	FaultBusy    string
	FaultDown    string // "back in %d s"
	FaultFailed  string
	Packets      string
	Inspector    string
	InspectorTip string
	Classroom    string
	ClassTip     string
	ClassSummary string // "Learners: %d · connected now: %d"
	ClassNote    string
	ClassLearner string
	ClassNow     string
	ClassLast    string
	ClassDone    string
	ClassOff     string
	ClassClient  string // "1 client"
	ClassClients string // "%d clients"
	ClassEmpty   string
	ClassAgo     string // "%s ago"
	ClassSteps   string // "%d of %d steps complete"
	ClassJSON    string
	ClassPage    string // "Page %d of %d"
	ClassPrev    string
	ClassNext    string
	PanelMissing string
	Prev         string
	Next         string
	Home         string
	Progress     string // "%d of %d tasks done"
	Shortcuts    string
	KeyNext      string
	KeyPrev      string
	KeyAdd       string
	KeyRun       string
	KeyHelp      string
	Close        string
	NotFound     string
	NotFoundText string

	// A class that works (issue 15, section 5): the learner's name, the
	// log's switch, resetting progress, the classroom's links.
	LogScope     string // the switch's label
	LogMine      string
	LogAll       string
	NameLabel    string
	NameNote     string
	NameSave     string
	NameShown    string // "You: %s"
	NameBad      string
	ResetLesson  string
	ResetAll     string
	ResetConfirm string
	ResetNote    string
	ClassPackets string // link to the learner's sessions in the inspector
	// Issue 15, section 4 (lessons-a): Spanish throughout, a clean first
	// impression.
	FaultUp string // the restarted server is up again
}

var uiText = map[Lang]ui{
	EN: {
		LangName:     "English",
		SiteName:     "Socket.IO Workbook",
		Tagline:      "Learn Socket.IO by running it",
		SkipToText:   "Skip to the text",
		Contents:     "Contents",
		Start:        "Start with the first lesson",
		Continue:     "Continue:",
		AllDone:      "Every task is done. Well played!",
		Lesson:       "Lesson %d",
		StepOf:       "Step %d of %d",
		Steps:        "Steps",
		Tasks:        "Try it",
		TasksNote:    "Each task ticks itself when the server sees you do it.",
		ServerCode:   "The server",
		ServerNote:   "This very file runs this step's server.",
		NodeHint:     "Written in Go with our own Socket.IO server; the text shows the same thing in Node.js.",
		ServerJS:     "JavaScript",
		ServerGo:     "Go",
		ServerJSNote: "The tutorial's app.js, in today's API. Edit it and press Run the server: your clients then reach your own server, which nobody else sees.",
		RunServer:    "Run the server",
		ServerOwn:    "Your server.js runs: your clients reach it.",
		ServerDef:    "The step's Go server runs for your clients.",
		ServerLine:   "server.js, line %d: %s",
		ServerFailed: "The server did not start",
		ClientCode:   "The client",
		ClientNote:   "Edit it and press Run: every client pane reloads with your code.",
		Run:          "Run",
		Reset:        "Reset",
		ShowDone:     "Show a finished version",
		Edited:       "edited",
		Copy:         "Copy",
		Copied:       "Copied",
		Clients:      "Clients",
		ToClients:    "Go to the clients ↓",
		AddClient:    "Add a client",
		Remove:       "Remove",
		Maximise:     "Maximise",
		Hint:         "A hint",
		HintNext:     "Another hint",
		Solution:     "The solution",
		SolutionNote: "The solution opens once you have taken a hint or pressed Run.",
		Kept:         "Your code is kept aside.",
		ShowingDone:  "The editor shows the finished version.",
		ShowingStart: "The editor shows the starting code.",
		Compare:      "Compare with yours",
		RestoreMine:  "Restore yours",
		CloseCompare: "Close the comparison",
		Console:      "Console",
		ConsoleEmpty: "console.log in the client's code shows here.",
		LineN:        "line %d",
		Reload:       "Reload",
		ClientN:      "Client %d",
		Loading:      "loading…",
		Connecting:   "connecting…",
		Connected:    "connected",
		Disconnected: "disconnected",
		ConnectError: "cannot connect",
		NoSocket:     "no socket",
		PageError:    "error in the page",
		ServerLog:    "Server log",
		LogNote:      "What this step's server prints about your clients; switch to everyone to see the whole class.",
		LogEmpty:     "Nothing logged yet.",
		Faults:       "Faults",
		FaultsNote:   "Break the connection on purpose, and watch the clients recover.",
		FaultCut:     "Cut the connection",
		FaultPings:   "Stop the pings",
		FaultRestart: "Restart the server",
		FaultDone:    "Done: %d of your clients affected.",
		FaultNone:    "None of your clients is connected to this step right now.",
		FaultBusy:    "The server is already restarting.",
		FaultDown:    "The server is down; it starts again in %d s.",
		FaultFailed:  "That did not work",
		Packets:      "Packets and trace",
		Inspector:    "Inspector",
		InspectorTip: "Every recorded session, packet by packet",
		Classroom:    "Classroom",
		ClassTip:     "Who is connected now, and who finished what",
		ClassSummary: "Learners: %d · connected now: %d",
		ClassNote:    "One row per browser, the most recently active first. The page keeps itself up to date.",
		ClassLearner: "Learner",
		ClassNow:     "Connected now",
		ClassLast:    "Last active",
		ClassDone:    "Tasks done",
		ClassOff:     "not connected",
		ClassClient:  "1 client",
		ClassClients: "%d clients",
		ClassEmpty:   "Nobody yet: a learner shows up here as soon as they open a step.",
		ClassAgo:     "%s ago",
		ClassSteps:   "%d of %d steps complete",
		ClassJSON:    "The same data as JSON",
		ClassPage:    "Page %d of %d",
		ClassPrev:    "Previous page",
		ClassNext:    "Next page",
		PanelMissing: "The packet inspector shows up here when the workbook records traffic.",
		Prev:         "Previous",
		Next:         "Next",
		Home:         "Home",
		Progress:     "%d of %d tasks done",
		Shortcuts:    "Keyboard shortcuts",
		KeyNext:      "next page",
		KeyPrev:      "previous page",
		KeyAdd:       "add a client",
		KeyRun:       "run the client code (in the editor)",
		KeyHelp:      "show or hide this list",
		Close:        "Close",
		NotFound:     "Page not found",
		NotFoundText: "There is no page here. The contents list every lesson.",

		LogScope:     "Lines of",
		LogMine:      "my clients",
		LogAll:       "everyone's clients",
		NameLabel:    "Your name",
		NameNote:     "Shown on your pages and, for an instructor, in the classroom. Leave it empty to go back to no name.",
		NameSave:     "Save the name",
		NameShown:    "You: %s",
		NameBad:      "A name is at most 40 characters, with no line breaks.",
		ResetLesson:  "Reset this lesson's progress",
		ResetAll:     "Reset all my progress",
		ResetConfirm: "Forget the tasks you ticked? This cannot be undone.",
		ResetNote:    "Start over: the ticks go, your code and name stay.",
		ClassPackets: "packets",
		FaultUp:      "The server is up again: your clients reconnect by themselves.",
	},
	ES: {
		LangName:     "Español",
		SiteName:     "Socket.IO Workbook",
		Tagline:      "Aprende Socket.IO viéndolo funcionar",
		SkipToText:   "Ir al texto",
		Contents:     "Índice",
		Start:        "Empieza por la primera lección",
		Continue:     "Sigue por:",
		AllDone:      "Has hecho todas las tareas. ¡Enhorabuena!",
		Lesson:       "Lección %d",
		StepOf:       "Paso %d de %d",
		Steps:        "Pasos",
		Tasks:        "Pruébalo",
		TasksNote:    "Cada tarea se marca sola cuando el servidor ve que la has hecho.",
		ServerCode:   "El servidor",
		ServerNote:   "Este mismo archivo es el servidor de este paso.",
		NodeHint:     "Está escrito en Go con nuestro propio servidor Socket.IO; el texto muestra lo mismo en Node.js.",
		ServerJS:     "JavaScript",
		ServerGo:     "Go",
		ServerJSNote: "El app.js del tutorial, con la API de hoy. Cámbialo y pulsa Ejecutar el servidor: tus clientes llegan entonces a tu propio servidor, que nadie más ve.",
		RunServer:    "Ejecutar el servidor",
		ServerOwn:    "Tu server.js está en marcha: tus clientes llegan a él.",
		ServerDef:    "Para tus clientes funciona el servidor Go del paso.",
		ServerLine:   "server.js, línea %d: %s",
		ServerFailed: "El servidor no arrancó",
		ClientCode:   "El cliente",
		ClientNote:   "Cámbialo y pulsa Ejecutar: todos los clientes se recargan con tu código.",
		Run:          "Ejecutar",
		Reset:        "Restaurar",
		ShowDone:     "Ver una versión terminada",
		Edited:       "modificado",
		Copy:         "Copiar",
		Copied:       "Copiado",
		Clients:      "Clientes",
		ToClients:    "Ir a los clientes ↓",
		AddClient:    "Añadir un cliente",
		Remove:       "Quitar",
		Maximise:     "Maximizar",
		Hint:         "Una pista",
		HintNext:     "Otra pista",
		Solution:     "La solución",
		SolutionNote: "La solución se abre cuando hayas visto una pista o pulsado Ejecutar.",
		Kept:         "Tu código queda guardado aparte.",
		ShowingDone:  "El editor muestra la versión terminada.",
		ShowingStart: "El editor muestra el código de partida.",
		Compare:      "Compararla con la tuya",
		RestoreMine:  "Recuperar la tuya",
		CloseCompare: "Cerrar la comparación",
		Console:      "Consola",
		ConsoleEmpty: "Aquí sale lo que el código del cliente escribe con console.log.",
		LineN:        "línea %d",
		Reload:       "Recargar",
		ClientN:      "Cliente %d",
		Loading:      "cargando…",
		Connecting:   "conectando…",
		Connected:    "conectado",
		Disconnected: "desconectado",
		ConnectError: "no puede conectar",
		NoSocket:     "sin socket",
		PageError:    "error en la página",
		ServerLog:    "Registro del servidor",
		LogNote:      "Lo que escribe el servidor de este paso sobre tus clientes; cambia a todos para ver la clase entera.",
		LogEmpty:     "Todavía no hay nada.",
		Faults:       "Averías",
		FaultsNote:   "Rompe la conexión a propósito y mira cómo se recuperan los clientes.",
		FaultCut:     "Cortar la conexión",
		FaultPings:   "Dejar de enviar pings",
		FaultRestart: "Reiniciar el servidor",
		FaultDone:    "Hecho: afecta a %d de tus clientes.",
		FaultNone:    "Ahora mismo no tienes ningún cliente conectado a este paso.",
		FaultBusy:    "El servidor ya se está reiniciando.",
		FaultDown:    "El servidor está caído; vuelve a arrancar en %d s.",
		FaultFailed:  "No ha funcionado",
		Packets:      "Paquetes y traza",
		Inspector:    "Inspector",
		InspectorTip: "Todas las sesiones grabadas, paquete a paquete",
		Classroom:    "Aula",
		ClassTip:     "Quién está conectado ahora y quién terminó qué",
		ClassSummary: "Estudiantes: %d · conectados ahora: %d",
		ClassNote:    "Una fila por navegador; primero, el que estuvo activo más recientemente. La página se actualiza sola.",
		ClassLearner: "Estudiante",
		ClassNow:     "Conectado ahora",
		ClassLast:    "Última actividad",
		ClassDone:    "Tareas hechas",
		ClassOff:     "sin conexión",
		ClassClient:  "1 cliente",
		ClassClients: "%d clientes",
		ClassEmpty:   "Nadie todavía: cada estudiante aparece aquí en cuanto abre un paso.",
		ClassAgo:     "hace %s",
		ClassSteps:   "%d de %d pasos completos",
		ClassJSON:    "Los mismos datos en JSON",
		ClassPage:    "Página %d de %d",
		ClassPrev:    "Página anterior",
		ClassNext:    "Página siguiente",
		PanelMissing: "Aquí aparece el inspector de paquetes cuando el workbook graba el tráfico.",
		Prev:         "Anterior",
		Next:         "Siguiente",
		Home:         "Inicio",
		Progress:     "%d de %d tareas hechas",
		Shortcuts:    "Atajos de teclado",
		KeyNext:      "página siguiente",
		KeyPrev:      "página anterior",
		KeyAdd:       "añadir un cliente",
		KeyRun:       "ejecutar el cliente (en el editor)",
		KeyHelp:      "mostrar u ocultar esta lista",
		Close:        "Cerrar",
		NotFound:     "Página no encontrada",
		NotFoundText: "Aquí no hay ninguna página. En el índice están todas las lecciones.",

		LogScope:     "Líneas de",
		LogMine:      "mis clientes",
		LogAll:       "los de todos",
		NameLabel:    "Tu nombre",
		NameNote:     "Aparece en tus páginas y, para quien dé la clase, en el aula. Déjalo vacío para quedarte sin nombre.",
		NameSave:     "Guardar el nombre",
		NameShown:    "Tú: %s",
		NameBad:      "Un nombre tiene como mucho 40 caracteres y ningún salto de línea.",
		ResetLesson:  "Borrar el progreso de esta lección",
		ResetAll:     "Borrar todo mi progreso",
		ResetConfirm: "¿Olvidar las tareas que has marcado? No se puede deshacer.",
		ResetNote:    "Empieza de cero: se van las marcas; tu código y tu nombre se quedan.",
		ClassPackets: "paquetes",
		FaultUp:      "El servidor ya está en marcha: tus clientes se reconectan solos.",
	},
}

// uiFields returns the fields of u by name (for tests and checks).
func uiFields(u ui) map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(u)
	for i := 0; i < v.NumField(); i++ {
		out[v.Type().Field(i).Name] = v.Field(i).String()
	}
	return out
}
