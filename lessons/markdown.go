package lessons

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// markdown renders our lesson text: GitHub-flavoured Markdown with
// typographic punctuation, heading ids, and code blocks highlighted by
// chroma (as CSS classes, see chromaCSS). Raw HTML is kept: the text is
// ours, not the learner's.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Typographer),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	goldmark.WithRendererOptions(
		html.WithUnsafe(),
		renderer.WithNodeRenderers(util.Prioritized(codeBlocks{}, 100)),
	),
)

// document is one Markdown file: its front matter and its body as HTML.
type document struct {
	Meta map[string]string // front matter, "key: value" lines
	HTML string
}

// parseDocument reads a Markdown file that opens with front matter:
//
//	---
//	title: A user connected
//	task.connect: Open the page: the log says `A user connected`.
//	---
//	The text...
//
// Front matter lines are "key: value", one a line; the value is the rest
// of the line, trimmed. name is used in errors.
func parseDocument(name string, src []byte) (*document, error) {
	meta, body, err := splitFrontMatter(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := markdown.Convert(body, &buf); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &document{Meta: meta, HTML: buf.String()}, nil
}

func splitFrontMatter(src []byte) (map[string]string, []byte, error) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return nil, nil, fmt.Errorf("no front matter (the file must start with a line \"---\")")
	}
	meta := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(src[4:]))
	offset := 4
	for sc.Scan() {
		line := sc.Text()
		offset += len(line) + 1
		if strings.TrimSpace(line) == "---" {
			return meta, src[min(offset, len(src)):], nil
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(key) == "" {
			return nil, nil, fmt.Errorf("front matter line %q is not \"key: value\"", line)
		}
		key = strings.TrimSpace(key)
		if _, dup := meta[key]; dup {
			return nil, nil, fmt.Errorf("front matter key %q appears twice", key)
		}
		meta[key] = strings.TrimSpace(value)
	}
	return nil, nil, fmt.Errorf("front matter is not closed by a line \"---\"")
}

// inline renders a short piece of Markdown (a task, a title) without the
// paragraph around it.
func inline(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	out := strings.TrimSpace(buf.String())
	out = strings.TrimPrefix(out, "<p>")
	out = strings.TrimSuffix(out, "</p>")
	return out, nil
}

// codeBlocks renders fenced code blocks through chroma.
type codeBlocks struct{}

func (codeBlocks) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		block := n.(*ast.FencedCodeBlock)
		var code bytes.Buffer
		lines := block.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			code.Write(seg.Value(source))
		}
		out, err := highlight(code.String(), string(block.Language(source)), false)
		if err != nil {
			return ast.WalkStop, err
		}
		_, _ = w.WriteString(out)
		return ast.WalkSkipChildren, nil
	})
}

// highlight returns code as HTML, coloured by CSS classes (see chromaCSS),
// in a <pre class="chroma">. lang is a chroma lexer name ("go", "html",
// "js", "sh"); an unknown or empty one gives plain text.
func highlight(code, lang string, lineNumbers bool) (string, error) {
	lexer := lexers.Get(lang)
	if lexer == nil || lang == "" {
		lexer = lexers.Fallback
	}
	lexer = chroma.Coalesce(lexer)
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4), chromahtml.WithLineNumbers(lineNumbers))
	if err := f.Format(&buf, styles.Get(codeStyleLight), it); err != nil {
		return "", err
	}
	return buf.String(), nil
}

const (
	codeStyleLight = "github"
	codeStyleDark  = "github-dark"
)

// chromaCSS returns the stylesheet of highlighted code: the light style,
// and the dark one for browsers that prefer a dark scheme.
func chromaCSS() ([]byte, error) {
	f := chromahtml.New(chromahtml.WithClasses(true))
	var light, dark bytes.Buffer
	if err := f.WriteCSS(&light, styles.Get(codeStyleLight)); err != nil {
		return nil, err
	}
	if err := f.WriteCSS(&dark, styles.Get(codeStyleDark)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString("/* Generated by chroma: styles " + codeStyleLight + " and " + codeStyleDark + ". */\n")
	out.Write(light.Bytes())
	out.WriteString("@media (prefers-color-scheme: dark) {\n")
	// A token the light style colours and the dark one does not (github's
	// .nx, .nb) would keep its light colour on the dark background (#1f2328
	// on #161b22, 1.09:1): every token takes the dark text colour first,
	// then the dark style's own.
	out.WriteString(".chroma :where(span)[class] { color: inherit; }\n") // (0,2,0), as .chroma .nx
	out.Write(dark.Bytes())
	out.WriteString("}\n")
	return out.Bytes(), nil
}
