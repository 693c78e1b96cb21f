//! The syntax tree of a policy expression. Every node has a byte span relative to the
//! expression code (the text between `@(`/`@{` and the closing bracket).

use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A type as written: `string`, `JObject`, `List<string>`, `string[]`, `int?`.
/// Namespaces are dropped (`System.Text.Encoding` is `Encoding`).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRef {
    pub name: String,
    pub args: Vec<TypeRef>,
    /// Number of `[]` suffixes.
    pub array: u8,
    pub nullable: bool,
    pub span: Span,
}

impl TypeRef {
    pub fn simple(name: &str, span: Span) -> Self {
        TypeRef {
            name: name.to_string(),
            args: Vec::new(),
            array: 0,
            nullable: false,
            span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    UInt(u64),
    Double(crate::number::Real),
    Decimal(crate::number::Real),
    Char(char),
    Str(Rc<str>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitOr,
    BitXor,
    And,
    Or,
    Coalesce,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
    PreInc,
    PreDec,
    PostInc,
    PostDec,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    /// `out`/`ref` argument.
    pub by_ref: bool,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    Text(String),
    Hole {
        expr: Box<Expr>,
        align: Option<Box<Expr>>,
        format: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `is T` / `is T name`
    Type(TypeRef, Option<String>),
    /// `is null` / `is 3` / `is "x"`
    Const(Box<Expr>),
    /// `is not <pattern>`
    Not(Box<Pattern>),
    /// `is var x`
    Var(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    /// `{ a, b }`
    Collection(Vec<Expr>),
    /// `{ A = 1, [k] = v, {k, v} }`
    Members(Vec<MemberInit>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum MemberInit {
    Field(String, Expr),
    Index(Vec<Expr>, Expr),
    Add(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    pub params: Vec<(Option<TypeRef>, String)>,
    pub body: LambdaBody,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LambdaBody {
    Expr(Expr),
    Block(Vec<Stmt>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: E,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum E {
    /// A syntax error left a hole here.
    Error,
    Lit(Lit),
    Interp(Vec<InterpPart>),
    Name(String, Vec<TypeRef>),
    /// `target.name<generics>`; `null_cond` for `?.`.
    Member {
        target: Box<Expr>,
        name: String,
        generics: Vec<TypeRef>,
        null_cond: bool,
        name_span: Span,
    },
    Call(Box<Expr>, Vec<Arg>),
    Index {
        target: Box<Expr>,
        args: Vec<Expr>,
        null_cond: bool,
    },
    /// The top of a postfix chain that contains `?.` / `?[`: a null there makes this null.
    NullCond(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a = b` or `a op= b`.
    Assign(Option<BinOp>, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Cast(TypeRef, Box<Expr>),
    Is(Box<Expr>, Pattern),
    As(Box<Expr>, TypeRef),
    Lambda(Rc<Lambda>),
    New(TypeRef, Vec<Arg>, Option<Init>),
    /// `new T[n]`, `new T[] {..}`, `new[] {..}`
    NewArray(Option<TypeRef>, Option<Box<Expr>>, Vec<Expr>),
    /// `new { a = 1, b }`
    NewAnon(Vec<(String, Expr)>),
    Typeof(TypeRef),
    Default(Option<TypeRef>),
    Nameof(String),
    /// `out var x` / `out T x` declaration in an argument.
    OutVar(Option<TypeRef>, String),
    Throw(Option<Box<Expr>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: S,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SwitchSection {
    /// `None` is `default:`.
    pub labels: Vec<Option<Expr>>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catch {
    pub ty: Option<TypeRef>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocalFn {
    pub name: String,
    pub ret: Option<TypeRef>,
    pub lambda: Rc<Lambda>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum S {
    Error,
    Empty,
    Expr(Expr),
    /// `var x = …;` (type `None`) or `T x = …, y;`
    Decl(Option<TypeRef>, Vec<(String, Span, Option<Expr>)>),
    Block(Vec<Stmt>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    Return(Option<Expr>),
    Foreach(Option<TypeRef>, String, Expr, Box<Stmt>),
    For(Vec<Stmt>, Option<Expr>, Vec<Expr>, Box<Stmt>),
    While(Expr, Box<Stmt>),
    DoWhile(Box<Stmt>, Expr),
    Break,
    Continue,
    Switch(Expr, Vec<SwitchSection>),
    Try(Vec<Stmt>, Vec<Catch>, Option<Vec<Stmt>>),
    Throw(Option<Expr>),
    LocalFn(LocalFn),
}
