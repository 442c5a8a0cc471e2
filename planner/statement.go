package planner

// Kind names the parsed statement's kind in messages: INSERT, UPDATE,
// DELETE, SET, DDL, SHOW, or the parser's name for another (Select, Union).
func (p *Parsed) Kind() string { return statementKind(p.Stmt) }
