package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/internal/uilang"
)

// The inspector's pages are in English and Spanish, chosen as the
// lessons' are (package uilang: ?lang=, remembered in the wb_lang cookie,
// else the cookie, else Accept-Language). Words are written in English in
// the templates, through tr; es holds their Spanish, and a test checks
// that every word tr is given has it.

// langNames are the languages, the default first.
var langNames = []string{"en", "es"}

// langSelf names each language in itself, for the switch.
var langSelf = map[string]string{"en": "English", "es": "Español"}

type langKey struct{}

// pageLang is the language of a page, and its query, for the switch.
type pageLang struct {
	lang  string
	query url.Values
}

// withLang chooses the language of a request and puts it in its context.
func withLang(w http.ResponseWriter, r *http.Request) *http.Request {
	pl := pageLang{lang: uilang.Choose(w, r, langNames), query: r.URL.Query()}
	return r.WithContext(context.WithValue(r.Context(), langKey{}, pl))
}

// langOf is the language of a page being rendered: "en" when none was
// chosen.
func langOf(ctx context.Context) string {
	if pl, ok := ctx.Value(langKey{}).(pageLang); ok {
		return pl.lang
	}
	return "en"
}

// langURL is the page in language l: its query (filters, pages) kept.
func langURL(ctx context.Context, l string) templ.SafeURL {
	q := url.Values{}
	if pl, ok := ctx.Value(langKey{}).(pageLang); ok {
		for k, v := range pl.query {
			q[k] = v
		}
	}
	q.Set("lang", l)
	return templ.SafeURL("?" + q.Encode())
}

// tr is en in the page's language.
func tr(ctx context.Context, en string) string {
	if langOf(ctx) == "es" {
		if s, ok := es[en]; ok {
			return s
		}
	}
	return en
}

// trf is tr of a format, then formatted.
func trf(ctx context.Context, en string, args ...any) string {
	return fmt.Sprintf(tr(ctx, en), args...)
}

// jsWordList are the words the pages' scripts write themselves.
var jsWordList = []string{"live", "paused", "not recording", "closed", "offline", "open", "closed: ", "connecting…", "Pause", "Resume",
	// upload.js: {name} is where a value goes.
	"Importing {file}…", "{file}: {packets} packets imported",
	" from {sessions} sessions of a HAR ({skipped} entries that are not Engine.IO skipped)",
	"; its sessions were here already", "Show them", "Could not import {file}: {error}"}

// jsWords are the scripts' words in the page's language, keyed by their
// English.
func jsWords(ctx context.Context) map[string]string {
	m := make(map[string]string, len(jsWordList))
	for _, w := range jsWordList {
		m[w] = tr(ctx, w)
	}
	return m
}

// es is the Spanish of every word of the inspector's pages.
var es = map[string]string{
	"Drop a session file (JSON Lines, as a session page downloads it) or a HAR on this page to import it.": "Suelta en esta página un archivo de sesión (JSON Lines, como lo descarga la página de una sesión) o un HAR para importarlo.",
	"Download (JSON Lines)": "Descargar (JSON Lines)",
	// Layout.
	"Sessions":                  "Sesiones",
	"Session":                   "Sesión",
	"Live tail":                 "En directo",
	"Lessons":                   "Lecciones",
	"language":                  "idioma",
	"sessions":                  "sesiones",
	"packets":                   "paquetes",
	"dropped":                   "descartados",
	"recording is off":          "la grabación está desactivada",
	"connecting…":               "conectando…",
	"Not found":                 "No encontrado",
	"All sessions":              "Todas las sesiones",
	"Error":                     "Error",
	"No session has the id %q.": "Ninguna sesión tiene el id %q.",
	"Nothing lives at %s.":      "No hay nada en %s.",
	"The inspector could not read its database: %s":                   "El inspector no pudo leer su base de datos: %s",
	"items the recorder could not store (queue full or write errors)": "elementos que el grabador no pudo guardar (cola llena o errores de escritura)",
	"Token required":                      "Hace falta el token",
	"Token required · Socket.IO Workbook": "Hace falta el token · Socket.IO Workbook",
	"The inspector and the classroom show every learner's traffic and progress, so on this address they ask for the token the workbook printed when it started": "El inspector y el aula muestran el tráfico y el progreso de cada alumno, así que en esta dirección piden el token que el workbook mostró al arrancar",
	"That token is not the right one.": "Ese token no es el correcto.",
	"Token":                            "Token",
	"Open":                             "Abrir",
	// Sessions list.
	"lesson or path": "lección o ruta",
	"client":         "cliente",
	"address":        "dirección",
	"event":          "evento",
	"close reason":   "motivo de cierre",
	"state":          "estado",
	"any":            "cualquiera",
	"open":           "abierta",
	"closed":         "cerrada",
	"closed: ":       "cerrada: ",
	"has an error":   "con un error",
	"CONNECT_ERROR, parse error, ping timeout or transport error": "CONNECT_ERROR, error de análisis, ping sin respuesta o error de transporte",
	"from":                           "desde",
	"to":                             "hasta",
	"Filter":                         "Filtrar",
	"clear":                          "quitar",
	"The filter is wrong:":           "El filtro no es válido:",
	"charts":                         "gráficos",
	"Close reasons":                  "Motivos de cierre",
	"No session ended in this span.": "Ninguna sesión terminó en este intervalo.",
	"session":                        "sesión",
	"lesson":                         "lección",
	"path":                           "ruta",
	"transport":                      "transporte",
	"started":                        "inicio",
	"No sessions recorded yet. Open a lesson, or connect a client, and it shows up here.": "Aún no hay sesiones grabadas. Abre una lección, o conecta un cliente, y aparecerá aquí.",
	"No session matches the filter.": "Ninguna sesión cumple el filtro.",
	"pages":                          "páginas",
	"← newer":                        "← más recientes",
	"newest":                         "las más recientes",
	"older →":                        "más antiguas →",
	"Connects and disconnects":       "Conexiones y desconexiones",
	"connects":                       "conexiones",
	"disconnects":                    "desconexiones",
	"%d connects, %d disconnects, in bars of %s": "%d conexiones, %d desconexiones, en barras de %s",
	// Session page.
	"Sequence diagram and replay": "Diagrama de secuencia y reproducción",
	"Packets":                     "Paquetes",
	"direction":                   "dirección",
	"both":                        "ambas",
	"→ from the client":           "→ del cliente",
	"← to the client":             "← al cliente",
	"from the client":             "del cliente",
	"to the client":               "al cliente",
	"type":                        "tipo",
	"namespace":                   "espacio de nombres",
	"text":                        "texto",
	"in the arguments":            "en los argumentos",
	"heartbeats":                  "latidos",
	"pings, pongs and noops (the upgrade's probe is always shown)": "pings, pongs y noops (la sonda de la actualización se muestra siempre)",
	"No packets recorded for this session, but heartbeats.":        "No hay paquetes grabados de esta sesión, salvo latidos.",
	"No packet matches the filter.":                                "Ningún paquete cumple el filtro.",
	"The trace shows the last packets of the session.":             "La traza muestra los últimos paquetes de la sesión.",
	"Trace":                              "Traza",
	"time":                               "hora",
	"→ from the client, ← to the client": "→ del cliente, ← al cliente",
	"the ack id, and the round trip to its ACK": "el id del ack, y el tiempo de ida y vuelta hasta su ACK",
	"pages of packets":                          "páginas de paquetes",
	"← older packets":                           "← paquetes anteriores",
	"newer packets →":                           "paquetes posteriores →",
	"user agent":                                "agente de usuario",
	"this browser's sessions":                   "las sesiones de este navegador",
	"ended":                                     "fin",
	"at":                                        "a los",
	"no ack":                                    "sin ack",
	"waiting":                                   "esperando",
	"answers packet %d, %s after it":            "responde al paquete %d, %s después",
	"answered by packet %d after %s":            "respondido por el paquete %d tras %s",
	"the ack never came":                        "el ack nunca llegó",
	"no ack yet":                                "aún sin ack",
	"answers no event recorded":                 "no responde a ningún evento grabado",
	"the DEBUG syntax: names separated by commas or spaces, * for anything, -name to leave out": "la sintaxis de DEBUG: nombres separados por comas o espacios, * para cualquier cosa, -nombre para excluir",
	"Events per second": "Eventos por segundo",
	"Bytes per second":  "Bytes por segundo",
	"in":                "entrada",
	"out":               "salida",
	"Ack round trips":   "Ida y vuelta de los acks",
	"acks":              "acks",
	"%d events from the client, %d to it, over %s": "%d eventos del cliente, %d hacia él, en %s",
	"%s in, %s out":       "%s de entrada, %s de salida",
	"%d acks":             "%d acks",
	", mean %s, max %s":   ", media %s, máximo %s",
	", %d never answered": ", %d sin respuesta",
	", %d waiting":        ", %d esperando",
	// The lesson panel.
	"Clear":                          "Vaciar",
	"your sessions in the inspector": "tus sesiones en el inspector",
	"Your packets show up here as your clients talk to the server.": "Tus paquetes aparecen aquí según tus clientes hablan con el servidor.",
	// Tail.
	"Pause":  "Pausa",
	"Resume": "Seguir",
	"Everything every server records, as it happens: the newest %d lines are kept.": "Todo lo que graba cada servidor, según ocurre: se guardan las %d líneas más recientes.",
	// Scripts.
	"live":          "en directo",
	"paused":        "en pausa",
	"not recording": "sin grabar",
	"offline":       "desconectado",
	// The drop on /inspector/ (upload.js).
	"Importing {file}…":                  "Importando {file}…",
	"{file}: {packets} packets imported": "{file}: {packets} paquetes importados",
	" from {sessions} sessions of a HAR ({skipped} entries that are not Engine.IO skipped)": " de {sessions} sesiones de un HAR ({skipped} entradas que no son Engine.IO omitidas)",
	"; its sessions were here already": "; sus sesiones ya estaban aquí",
	"Show them":                        "Verlas",
	"Could not import {file}: {error}": "No se pudo importar {file}: {error}",
}
