package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Builtins are commands that exist only inside a shell, so exec form
// cannot run them.
var Builtins = map[string]bool{
	".": true, ":": true, "alias": true, "bg": true, "break": true, "builtin": true,
	"cd": true, "command": true, "continue": true, "declare": true, "eval": true,
	"exit": true, "export": true, "fg": true, "getopts": true, "hash": true, "jobs": true,
	"local": true, "read": true, "readonly": true, "return": true, "set": true,
	"shift": true, "source": true, "times": true, "trap": true, "type": true,
	"typeset": true, "ulimit": true, "umask": true, "unalias": true, "unset": true,
	"wait": true,
}

// SimpleCommand returns the literal words of a program that is exactly
// one simple command, dropping a leading "exec". Otherwise it returns why not:
// "uses &&", "$PORT", …
func SimpleCommand(prog *syntax.File) ([]string, string) {
	if len(prog.Stmts) == 0 {
		return nil, "it is empty"
	}
	if len(prog.Stmts) > 1 {
		return nil, "uses ; or a newline to run several commands"
	}
	st := prog.Stmts[0]
	switch {
	case Comment(prog) != "":
		return nil, "has a shell comment"
	case st.Background:
		return nil, "uses &"
	case st.Coprocess || st.Disown:
		return nil, "runs in the background"
	case st.Negated:
		return nil, "uses !"
	case len(st.Redirs) > 0:
		return nil, "uses the redirection " + st.Redirs[0].Op.String()
	}
	var call *syntax.CallExpr
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		call = c
	case *syntax.BinaryCmd:
		return nil, "uses " + c.Op.String()
	case *syntax.DeclClause:
		return nil, "runs the shell builtin " + c.Variant.Value
	default:
		return nil, "uses " + CompoundName(c)
	}
	if len(call.Assigns) > 0 {
		return nil, "sets " + call.Assigns[0].Name.Value + " for the command"
	}
	var args []string
	for _, w := range call.Args {
		v, ok := WordValue(w)
		if !ok {
			return nil, wordNeedsShell(w)
		}
		args = append(args, v)
	}
	if len(args) > 1 && args[0] == "exec" && !strings.HasPrefix(args[1], "-") {
		args = args[1:]
	}
	switch {
	case len(args) == 0 || args[0] == "":
		return nil, "has no command"
	case Builtins[args[0]] || args[0] == "exec":
		return nil, "runs the shell builtin " + args[0]
	}
	return args, ""
}

// Comment returns the first comment of a program, "#" included, or "".
func Comment(prog *syntax.File) string {
	var text string
	syntax.Walk(prog, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.Comment); ok && text == "" {
			text = "#" + c.Text
		}
		return text == ""
	})
	if text == "" && len(prog.Last) > 0 {
		text = "#" + prog.Last[0].Text
	}
	return text
}

// CompoundName names a shell construct other than a simple command.
func CompoundName(c syntax.Command) string {
	switch c := c.(type) {
	case *syntax.Subshell:
		return "a subshell"
	case *syntax.Block:
		return "a { } block"
	case *syntax.IfClause:
		return "if"
	case *syntax.WhileClause:
		if c.Until {
			return "until"
		}
		return "while"
	case *syntax.ForClause:
		return "for"
	case *syntax.CaseClause:
		return "case"
	case *syntax.TestClause:
		return "[[ ]]"
	case *syntax.ArithmCmd:
		return "(( ))"
	case *syntax.LetClause:
		return "let"
	case *syntax.TimeClause:
		return "time"
	case *syntax.FuncDecl:
		return "a function"
	case *syntax.DeclClause:
		return "the builtin " + c.Variant.Value
	}
	return "a compound command"
}

// wordNeedsShell says what in w needs a shell: "$NAME" for a parameter
// expansion, else "uses …".
func wordNeedsShell(w *syntax.Word) string {
	reason := "uses shell expansion"
	syntax.Walk(w, func(n syntax.Node) bool {
		if reason != "uses shell expansion" {
			return false
		}
		switch x := n.(type) {
		case *syntax.ParamExp:
			if x.Param != nil {
				reason = "$" + x.Param.Value
			}
		case *syntax.CmdSubst:
			reason = "uses command substitution"
		case *syntax.ArithmExp:
			reason = "uses arithmetic expansion"
		case *syntax.ProcSubst:
			reason = "uses process substitution"
		case *syntax.SglQuoted:
			if x.Dollar {
				reason = "uses $'…' quoting"
			}
		case *syntax.Lit:
			if i := strings.IndexAny(x.Value, "*?["); i >= 0 {
				reason = "uses the glob " + x.Value[i:i+1]
			} else if strings.ContainsAny(x.Value, "{") {
				reason = "uses brace expansion"
			} else if strings.ContainsAny(x.Value, "~") {
				reason = "uses ~"
			}
		}
		return true
	})
	return reason
}
