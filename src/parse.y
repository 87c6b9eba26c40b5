/*
 * The grammar of anycastd.conf and its lexer.  This file owns the text:
 * tokens with their line and column, statements, values and their
 * ranges, and what can be checked inside one block (a neighbor without
 * remote-as, a check without a type, a timeout longer than its interval).
 * Checks that need the whole file are config.c's (config_validate).
 *
 * Statements end at a newline or ';'.  Inside a block several settings
 * may share a line ("interval 1s  timeout 500ms  rise 3  fall 2").  A
 * backslash at the end of a line continues it.
 *
 * Errors never stop the parse early (up to CONFIG_MAX_ERRORS): a bad
 * statement is skipped up to the end of its line, a block whose header
 * is bad is skipped whole, and a block left open is closed where the next
 * top-level statement starts, so one mistake gives one message.
 *
 * Everything the grammar builds on the way lives in an arena freed when
 * parsing ends, so yacc's error recovery, which drops values without
 * telling anyone, cannot leak.  Values kept in the struct config are
 * copies.  The grammar uses globals: one parse at a time.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "config.h"
#include "log.h"
#include "util.h"

#define PARSE_WORD_MAX		1024
#define PARSE_STRING_MAX	4096
#define PARSE_EXPR_DEPTH_MAX	256
#define PARSE_NAME_MAX		32	/* user and group names */
#define PARSE_NKEYWORDS		47

/* What a token or a reduced rule carries: its text and where it began. */
struct parse_val {
	struct config_pos	 pos;
	const char		*text;		/* as written; arena */
	int			 kwidx;		/* into keywords[], or -1 */
	bool			 quoted;
	bool			 isnum;		/* all digits */
	bool			 bad;		/* invalid, already reported */
	uint64_t		 num;
	struct config_addr	 addr;
	struct expr		*expr;		/* arena */
	unsigned		 depth;		/* of expr */
};
#define YYSTYPE		struct parse_val

enum block {
	BLOCK_NONE,
	BLOCK_NEIGHBOR,
	BLOCK_CHECK,
	BLOCK_PREFIX,
	BLOCK_OTHER,
};

struct arena_obj {
	struct arena_obj	*next;
	max_align_t		 data[];
};

static struct {
	struct config		*conf;
	struct config_errors	*errs;
	const char		*file;
	const char		*p;		/* next byte */
	const char		*end;
	struct config_pos	 at;		/* position of *p */
	struct arena_obj	*arena;
	bool			 stop;		/* too many errors */

	/* Kept by the lexer, for messages and for closing blocks. */
	int			 depth;		/* open braces */
	enum block		 block;		/* of the outermost open brace */
	struct config_pos	 block_pos;
	bool			 stmt_start;	/* next token starts a statement */
	int			 stmt_kw;	/* first token of this statement */
	unsigned		 stmt_ntok;
	int			 parens;
	bool			 unmatched;	/* a ')' without '(' */
	bool			 in_expr;	/* inside a requires expression */
	/* The same as they were before the last token, for yyerror. */
	int			 tok_parens;
	bool			 tok_in_expr;
	bool			 tok_at_start;
	int			 tok;		/* last token handed out */
	int			 prevtok;
	struct parse_val	 tokval;
	struct parse_val	 prevval;
	/* Tokens handed out before the next lexed one. */
	int			 inject_close;
	bool			 inject_nl;
	struct config_pos	 inject_pos;
	bool			 have_saved;
	int			 saved_tok;
	struct parse_val	 saved_val;
	/* Statements present, even malformed: at top level, in this block. */
	bool			 present_top[PARSE_NKEYWORDS];
	bool			 present_blk[PARSE_NKEYWORDS];

	/* Kept by the grammar: settings given once, and the open block. */
	unsigned		 once_top[PARSE_NKEYWORDS];	/* line */
	unsigned		 once_blk[PARSE_NKEYWORDS];
	unsigned		 once_ctl[PARSE_NKEYWORDS];
	struct config_neighbor	*nb;
	struct check_conf	*ck;
	struct prefix_conf	*px;
	bool			 family_given;
	struct config_pos	 next_hop_pos[BGP_AID_MAX];
	struct config_pos	 type_pos;
	struct config_pos	 timeout_pos;
	bool			 timeout_set;
	size_t			 blk_nerrors;	/* errors before this block */
} ps;

int	yylex(void);
void	yyerror(const char *);
int	yyparse(void);

static void	 vreport(struct config_pos, bool, const char *, va_list)
		    __printflike(3, 0);
static void	 perr(struct config_pos, const char *, ...) __printflike(2, 3);
static void	 pwarn(struct config_pos, const char *, ...) __printflike(2, 3);
static struct parse_val none(void);
static bool	 once(unsigned *, const struct parse_val *);
static bool	 check_range(const struct parse_val *, const char *, uint64_t,
		    uint64_t);
static bool	 check_duration(const struct parse_val *, const char *,
		    uint64_t, uint64_t);
static bool	 check_asn(const struct parse_val *, const char *);
static bool	 check_port(const struct parse_val *);
static bool	 check_path(const struct parse_val *, const char *);
static bool	 valid_name(const char *, size_t);

static void	 set_router_id(const struct parse_val *,
		    const struct parse_val *);
static void	 add_listen(const struct parse_val *, const struct parse_val *);
static void	 set_control(const struct parse_val *, const struct parse_val *);
static void	 set_control_mode(const struct parse_val *,
		    const struct parse_val *);
static void	 set_string(char **, const struct parse_val *,
		    const struct parse_val *);
static void	 set_metrics(const struct parse_val *, const struct parse_val *,
		    const struct parse_val *);
static void	 set_log(const struct parse_val *, const struct parse_val *);

static void	 neighbor_begin(const struct parse_val *);
static void	 neighbor_end(void);
static void	 set_local_address(const struct parse_val *,
		    const struct parse_val *);
static void	 set_hold_time(const struct parse_val *,
		    const struct parse_val *);
static void	 set_bytes(char *, size_t, const struct parse_val *,
		    const struct parse_val *);
static void	 add_family(const struct parse_val *, const struct parse_val *,
		    const struct parse_val *);
static void	 add_next_hop(const struct parse_val *, const struct parse_val *);

static void	 check_begin(const struct parse_val *);
static void	 check_end(void);
static bool	 set_type(const struct parse_val *, enum check_type);
static void	 set_http(const struct parse_val *, const struct parse_val *);
static void	 set_dns(const struct parse_val *, const struct parse_val *);
static void	 set_dns_type(const struct parse_val *,
		    const struct parse_val *);
static void	 add_exec_arg(const struct parse_val *, bool);
static void	 set_file(const struct parse_val *, const struct parse_val *,
		    const struct parse_val *);

static void	 prefix_begin(const struct parse_val *);
static struct parse_val mkexpr(enum expr_op, const struct parse_val *,
		    const struct parse_val *, const struct parse_val *);
static void	 add_community(const struct parse_val *);
static void	 add_large_community(const struct parse_val *);
static void	 add_prefix_neighbor(const struct parse_val *);
static void	 set_on_down(const struct parse_val *, const struct parse_val *,
		    const struct parse_val *);
%}

%token	T_AND T_CHECK T_COMMUNITY T_CONNECT_RETRY T_CONTROL T_DESCRIPTION
%token	T_DNS T_EXEC T_EXPECT T_FALL T_FAMILY T_FILE T_GROUP T_HOLD_TIME
%token	T_HTTP T_INTERVAL T_LARGE_COMMUNITY T_LISTEN T_LOCAL_ADDRESS
%token	T_LOCAL_AS T_LOG T_MED T_METRICS T_MODE T_NEIGHBOR T_NEIGHBORS
%token	T_NEXT_HOP T_NOT T_ON_DOWN T_OR T_PASSIVE T_PASSWORD T_PORT T_PREFIX
%token	T_PREPEND T_PROCESS T_REMOTE_AS T_REQUIRES T_RISE T_ROUTER_ID
%token	T_SERVER T_STATE_FILE T_TCP T_TIMEOUT T_TTL_SECURITY T_TYPE T_USER
%token	T_STRING T_NUMBER

%left	T_OR
%left	T_AND
%right	T_NOT

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar stmt '\n'
		| grammar error '\n'		{ yyerrok; }
		| grammar error junkblock	{ yyerrok; }
		;

stmt		: T_ROUTER_ID addr		{ set_router_id(&$1, &$2); }
		| T_LOCAL_AS number		{
			if (once(ps.once_top, &$1) && check_asn(&$2, "local-as"))
				ps.conf->local_as = $2.num;
		}
		| T_LISTEN addr portopt		{ add_listen(&$2, &$3); }
		| control_head control_opts
		| T_STATE_FILE word		{
			set_string(&ps.conf->state_file, &$1, &$2);
		}
		| T_METRICS addr portopt	{ set_metrics(&$1, &$2, &$3); }
		| T_USER name			{
			set_string(&ps.conf->user, &$1, &$2);
		}
		| T_LOG word			{ set_log(&$1, &$2); }
		| neighbor
		| check
		| prefix
		;

portopt		: /* empty */			{ $$ = none(); }
		| T_PORT number			{
			$$ = $2;
			if (!check_port(&$$))
				$$.bad = true;
		}
		;

control_head	: T_CONTROL word		{ set_control(&$1, &$2); }
		;

control_opts	: /* empty */
		| control_opts T_MODE word	{ set_control_mode(&$2, &$3); }
		| control_opts T_GROUP name	{
			if (once(ps.once_ctl, &$2))
				set_string(&ps.conf->control_group, NULL, &$3);
		}
		;

optnl		: /* empty */
		| optnl '\n'
		;

/* A block whose header did not parse: skipped, braces kept balanced. */
junkblock	: '{' junk '}'
		;

junk		: /* empty */
		| junk junkblock
		| junk anytoken
		;

anytoken	: '\n' | '(' | ')' | name | T_AND | T_OR | T_NOT
		;

/* ------------------------------------------------------------------ */

neighbor	: neighbor_head optnl '{' nbody nclose	{ neighbor_end(); }
		;

neighbor_head	: T_NEIGHBOR addr		{ neighbor_begin(&$2); }
		;

nclose		: '}'
		| error '}'			{ yyerrok; }
		;

nbody		: /* empty */
		| nbody '\n'
		| nbody nopt
		| nbody error '\n'		{ yyerrok; }
		| nbody error junkblock		{ yyerrok; }
		;

nopt		: T_REMOTE_AS number		{
			if (once(ps.once_blk, &$1) &&
			    check_asn(&$2, "remote-as"))
				ps.nb->conf.remote_as = $2.num;
		}
		| T_DESCRIPTION word		{
			set_bytes(ps.nb->conf.descr, sizeof(ps.nb->conf.descr),
			    &$1, &$2);
		}
		| T_LOCAL_ADDRESS addr		{ set_local_address(&$1, &$2); }
		| T_HOLD_TIME duration		{ set_hold_time(&$1, &$2); }
		| T_CONNECT_RETRY duration	{
			if (once(ps.once_blk, &$1) &&
			    check_duration(&$2, "connect-retry", 100, 3600000))
				ps.nb->conf.connect_retry_ms = $2.num;
		}
		| T_PASSIVE			{
			if (once(ps.once_blk, &$1))
				ps.nb->conf.passive = true;
		}
		| T_PASSWORD word		{
			set_bytes(ps.nb->conf.password,
			    sizeof(ps.nb->conf.password), &$1, &$2);
		}
		| T_TTL_SECURITY		{
			if (once(ps.once_blk, &$1))
				ps.nb->conf.ttl_security = true;
		}
		| T_FAMILY word optword		{ add_family(&$1, &$2, &$3); }
		| T_NEXT_HOP addr		{ add_next_hop(&$1, &$2); }
		;

optword		: /* empty */			{ $$ = none(); }
		| word
		;

/* ------------------------------------------------------------------ */

check		: check_head optnl '{' cbody cclose	{ check_end(); }
		;

check_head	: T_CHECK name			{ check_begin(&$2); }
		;

cclose		: '}'
		| error '}'			{ yyerrok; }
		;

cbody		: /* empty */
		| cbody '\n'
		| cbody copt
		| cbody error '\n'		{ yyerrok; }
		| cbody error junkblock		{ yyerrok; }
		;

copt		: T_HTTP word httpopt		{ set_http(&$1, &$2); }
		| dns_head dnsopts
		| T_TCP addr tcpport		{
			if (set_type(&$1, CHECK_TCP) && !$2.bad)
				ps.ck->tcp.addr = $2.addr;
		}
		| exec_head execargs
		| T_FILE word optword		{ set_file(&$1, &$2, &$3); }
		| T_PROCESS word		{
			if (set_type(&$1, CHECK_PROCESS) &&
			    check_path(&$2, "process"))
				ps.ck->process.pidfile = xstrdup($2.text);
		}
		| T_INTERVAL duration		{
			if (once(ps.once_blk, &$1) &&
			    check_duration(&$2, "interval", 100, 86400000))
				ps.ck->interval_ms = $2.num;
		}
		| T_TIMEOUT duration		{
			ps.timeout_pos = $2.pos;
			if (once(ps.once_blk, &$1) &&
			    check_duration(&$2, "timeout", 10, 86400000)) {
				ps.ck->timeout_ms = $2.num;
				ps.timeout_set = true;
			}
		}
		| T_RISE number			{
			if (once(ps.once_blk, &$1) &&
			    check_range(&$2, "rise", 1, 100))
				ps.ck->rise = $2.num;
		}
		| T_FALL number			{
			if (once(ps.once_blk, &$1) &&
			    check_range(&$2, "fall", 1, 100))
				ps.ck->fall = $2.num;
		}
		;

httpopt		: /* empty */
		| T_EXPECT number		{
			if (once(ps.once_blk, &$1) &&
			    check_range(&$2, "expect", 100, 599))
				ps.ck->http.expect = $2.num;
		}
		;

dns_head	: T_DNS word			{ set_dns(&$1, &$2); }
		;

dnsopts		: /* empty */
		| dnsopts T_TYPE word		{ set_dns_type(&$2, &$3); }
		| dnsopts T_SERVER addr		{
			if (once(ps.once_blk, &$2) && !$3.bad)
				ps.ck->dns.server = $3.addr;
		}
		| dnsopts T_PORT number		{
			if (once(ps.once_blk, &$2) && check_port(&$3))
				ps.ck->dns.port = $3.num;
		}
		;

tcpport		: /* empty */
		| T_PORT number			{
			if (once(ps.once_blk, &$1) && check_port(&$2))
				ps.ck->tcp.port = $2.num;
		}
		;

exec_head	: T_EXEC word			{
			if (set_type(&$1, CHECK_EXEC) && check_path(&$2, "exec"))
				add_exec_arg(&$2, true);
		}
		;

execargs	: /* empty */
		| execargs word			{ add_exec_arg(&$2, false); }
		;

/* ------------------------------------------------------------------ */

prefix		: prefix_head optnl '{' pbody pclose	{ ps.px = NULL; }
		;

prefix_head	: T_PREFIX word			{ prefix_begin(&$2); }
		;

pclose		: '}'
		| error '}'			{ yyerrok; }
		;

pbody		: /* empty */
		| pbody '\n'
		| pbody popt
		| pbody error '\n'		{ yyerrok; }
		| pbody error junkblock		{ yyerrok; }
		;

popt		: T_REQUIRES expr		{
			if (once(ps.once_blk, &$1) && !$2.bad)
				ps.px->requires = expr_dup($2.expr);
		}
		| T_COMMUNITY communities
		| T_LARGE_COMMUNITY lcommunities
		| T_MED number			{
			if (once(ps.once_blk, &$1) &&
			    check_range(&$2, "med", 0, UINT32_MAX)) {
				ps.px->has_med = true;
				ps.px->med = $2.num;
			}
		}
		| T_PREPEND number		{
			if (once(ps.once_blk, &$1) &&
			    check_range(&$2, "prepend", 0, PREFIX_PREPEND_MAX))
				ps.px->prepend = $2.num;
		}
		| T_NEIGHBORS addrlist
		| T_ON_DOWN word optword	{ set_on_down(&$1, &$2, &$3); }
		;

communities	: word				{ add_community(&$1); }
		| communities word		{ add_community(&$2); }
		;

lcommunities	: word				{ add_large_community(&$1); }
		| lcommunities word		{ add_large_community(&$2); }
		;

addrlist	: addr				{ add_prefix_neighbor(&$1); }
		| addrlist addr			{ add_prefix_neighbor(&$2); }
		;

expr		: expr T_OR expr		{ $$ = mkexpr(EXPR_OR, &$2, &$1, &$3); }
		| expr T_AND expr		{ $$ = mkexpr(EXPR_AND, &$2, &$1, &$3); }
		| T_NOT expr			{ $$ = mkexpr(EXPR_NOT, &$1, &$2, NULL); }
		| '(' expr ')'			{ $$ = $2; }
		| name				{ $$ = mkexpr(EXPR_CHECK, &$1, NULL, NULL); }
		;

/* ------------------------------------------------------------------ */
/* Values                                                               */

word		: T_STRING
		| T_NUMBER
		;

/* Check, user and group names may be words that are also keywords. */
name		: T_STRING | T_NUMBER
		| T_CHECK | T_COMMUNITY | T_CONNECT_RETRY | T_CONTROL
		| T_DESCRIPTION | T_DNS | T_EXEC | T_EXPECT | T_FALL | T_FAMILY
		| T_FILE | T_GROUP | T_HOLD_TIME | T_HTTP | T_INTERVAL
		| T_LARGE_COMMUNITY | T_LISTEN | T_LOCAL_ADDRESS | T_LOCAL_AS
		| T_LOG | T_MED | T_METRICS | T_MODE | T_NEIGHBOR | T_NEIGHBORS
		| T_NEXT_HOP | T_ON_DOWN | T_PASSIVE | T_PASSWORD | T_PORT
		| T_PREFIX | T_PREPEND | T_PROCESS | T_REMOTE_AS | T_REQUIRES
		| T_RISE | T_ROUTER_ID | T_SERVER | T_STATE_FILE | T_TCP
		| T_TIMEOUT | T_TTL_SECURITY | T_TYPE | T_USER
		;

number		: word				{
			$$ = $1;
			if (!$1.isnum) {
				perr($1.pos, "'%s' is not a number", $1.text);
				$$.bad = true;
			}
		}
		;

duration	: word				{
			$$ = $1;
			if (config_duration_parse($1.text, &$$.num) == -1) {
				perr($1.pos, "invalid duration '%s' (a number "
				    "with ms, s, m or h)", $1.text);
				$$.bad = true;
			}
		}
		;

addr		: word				{
			$$ = $1;
			if (config_addr_pton($1.text, &$$.addr) == -1) {
				perr($1.pos, "invalid address '%s'", $1.text);
				$$.bad = true;
			}
		}
		;

%%

#define CTX_TOP		0x01
#define CTX_NEIGHBOR	0x02
#define CTX_CHECK	0x04
#define CTX_PREFIX	0x08
#define CTX_SUB		0x10	/* only after another keyword */
#define CTX_EXPR	0x20

/* Sorted for bsearch; keyword_table_check() makes sure. */
static const struct keyword {
	const char	*name;
	int		 token;
	unsigned	 ctx;
	bool		 value;		/* a value must follow */
} keywords[] = {
	{ "and",		T_AND,			CTX_EXPR,	true },
	{ "check",		T_CHECK,		CTX_TOP,	true },
	{ "community",		T_COMMUNITY,		CTX_PREFIX,	true },
	{ "connect-retry",	T_CONNECT_RETRY,	CTX_NEIGHBOR,	true },
	{ "control",		T_CONTROL,		CTX_TOP,	true },
	{ "description",	T_DESCRIPTION,		CTX_NEIGHBOR,	true },
	{ "dns",		T_DNS,			CTX_CHECK,	true },
	{ "exec",		T_EXEC,			CTX_CHECK,	true },
	{ "expect",		T_EXPECT,		CTX_SUB,	true },
	{ "fall",		T_FALL,			CTX_CHECK,	true },
	{ "family",		T_FAMILY,		CTX_NEIGHBOR,	true },
	{ "file",		T_FILE,			CTX_CHECK,	true },
	{ "group",		T_GROUP,		CTX_SUB,	true },
	{ "hold-time",		T_HOLD_TIME,		CTX_NEIGHBOR,	true },
	{ "http",		T_HTTP,			CTX_CHECK,	true },
	{ "interval",		T_INTERVAL,		CTX_CHECK,	true },
	{ "large-community",	T_LARGE_COMMUNITY,	CTX_PREFIX,	true },
	{ "listen",		T_LISTEN,		CTX_TOP,	true },
	{ "local-address",	T_LOCAL_ADDRESS,	CTX_NEIGHBOR,	true },
	{ "local-as",		T_LOCAL_AS,		CTX_TOP,	true },
	{ "log",		T_LOG,			CTX_TOP,	true },
	{ "med",		T_MED,			CTX_PREFIX,	true },
	{ "metrics",		T_METRICS,		CTX_TOP,	true },
	{ "mode",		T_MODE,			CTX_SUB,	true },
	{ "neighbor",		T_NEIGHBOR,		CTX_TOP,	true },
	{ "neighbors",		T_NEIGHBORS,		CTX_PREFIX,	true },
	{ "next-hop",		T_NEXT_HOP,		CTX_NEIGHBOR,	true },
	{ "not",		T_NOT,			CTX_EXPR,	true },
	{ "on-down",		T_ON_DOWN,		CTX_PREFIX,	true },
	{ "or",			T_OR,			CTX_EXPR,	true },
	{ "passive",		T_PASSIVE,		CTX_NEIGHBOR,	false },
	{ "password",		T_PASSWORD,		CTX_NEIGHBOR,	true },
	{ "port",		T_PORT,			CTX_SUB,	true },
	{ "prefix",		T_PREFIX,		CTX_TOP,	true },
	{ "prepend",		T_PREPEND,		CTX_PREFIX,	true },
	{ "process",		T_PROCESS,		CTX_CHECK,	true },
	{ "remote-as",		T_REMOTE_AS,		CTX_NEIGHBOR,	true },
	{ "requires",		T_REQUIRES,		CTX_PREFIX,	true },
	{ "rise",		T_RISE,			CTX_CHECK,	true },
	{ "router-id",		T_ROUTER_ID,		CTX_TOP,	true },
	{ "server",		T_SERVER,		CTX_SUB,	true },
	{ "state-file",		T_STATE_FILE,		CTX_TOP,	true },
	{ "tcp",		T_TCP,			CTX_CHECK,	true },
	{ "timeout",		T_TIMEOUT,		CTX_CHECK,	true },
	{ "ttl-security",	T_TTL_SECURITY,		CTX_NEIGHBOR,	false },
	{ "type",		T_TYPE,			CTX_SUB,	true },
	{ "user",		T_USER,			CTX_TOP,	true },
};
static_assert(nitems(keywords) == PARSE_NKEYWORDS,
    "PARSE_NKEYWORDS out of sync with keywords[]");

static const char *const block_names[] = {
	[BLOCK_NONE] = "",
	[BLOCK_NEIGHBOR] = "neighbor",
	[BLOCK_CHECK] = "check",
	[BLOCK_PREFIX] = "prefix",
	[BLOCK_OTHER] = "",
};

static void
keyword_table_check(void)
{
	size_t	i;

	for (i = 1; i < nitems(keywords); i++) {
		if (strcmp(keywords[i - 1].name, keywords[i].name) >= 0)
			fatalx("keyword table not sorted at %s",
			    keywords[i].name);
	}
}

static int
keyword_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyword *)elem)->name);
}

static int
keyword_index(const char *s)
{
	const struct keyword	*kw;

	kw = bsearch(s, keywords, nitems(keywords), sizeof(keywords[0]),
	    keyword_cmp);
	return kw == NULL ? -1 : (int)(kw - keywords);
}

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */

static void
vreport(struct config_pos pos, bool warning, const char *fmt, va_list ap)
{
	char	*msg;

	if (ps.stop)
		return;
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	if (!config_error(ps.errs, ps.file, pos, warning, "%s", msg))
		ps.stop = true;
	free(msg);
}

static void
perr(struct config_pos pos, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreport(pos, false, fmt, ap);
	va_end(ap);
}

static void
pwarn(struct config_pos pos, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreport(pos, true, fmt, ap);
	va_end(ap);
}

static unsigned
current_ctx(void)
{
	switch (ps.depth == 0 ? BLOCK_NONE : ps.block) {
	case BLOCK_NONE:
		return CTX_TOP;
	case BLOCK_NEIGHBOR:
		return CTX_NEIGHBOR;
	case BLOCK_CHECK:
		return CTX_CHECK;
	case BLOCK_PREFIX:
		return CTX_PREFIX;
	case BLOCK_OTHER:
		break;
	}
	return CTX_TOP | CTX_NEIGHBOR | CTX_CHECK | CTX_PREFIX;
}

/* " (did you mean 'x'?)" among the keywords valid in ctx, or "". */
static const char *
hint(const char *word, unsigned ctx, char *buf, size_t len)
{
	const char	*cand[PARSE_NKEYWORDS], *best;
	size_t		 i, n = 0;

	for (i = 0; i < nitems(keywords); i++) {
		if (keywords[i].ctx & ctx)
			cand[n++] = keywords[i].name;
	}
	buf[0] = '\0';
	if ((best = config_suggest(word, cand, n)) != NULL)
		snprintf(buf, len, " (did you mean '%s'?)", best);
	return buf;
}

static bool
looks_like_keyword(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == strlen(s);
}

/* After these an expression needs an operand. */
static bool
wants_operand(int tok)
{
	return tok == T_REQUIRES || tok == T_AND || tok == T_OR ||
	    tok == T_NOT || tok == '(';
}

static bool
ends_statement(int tok)
{
	return tok == '\n' || tok == '}' || tok == 0;
}

static bool
is_operand(int tok, const struct parse_val *v)
{
	return tok == T_STRING || tok == T_NUMBER || tok == '(' ||
	    (v->kwidx >= 0 && !(keywords[v->kwidx].ctx & CTX_EXPR));
}

/*
 * yacc only says "syntax error"; the last two tokens usually tell what
 * went wrong, and where.
 */
void
yyerror(const char *msg)
{
	const struct parse_val	*t = &ps.tokval, *pv = &ps.prevval;
	const struct keyword	*tk, *pk;
	unsigned		 ctx = current_ctx();
	char			 buf[64], where[32];

	tk = t->kwidx >= 0 ? &keywords[t->kwidx] : NULL;
	pk = pv->kwidx >= 0 ? &keywords[pv->kwidx] : NULL;

	if (strcmp(msg, "syntax error") != 0) {
		perr(t->pos, "%s", strstr(msg, "exhausted") != NULL ?
		    "statement too deeply nested" : msg);
		return;
	}
	if (ps.tok_in_expr && wants_operand(ps.prevtok) &&
	    (ends_statement(ps.tok) || ps.tok == ')' || ps.tok == T_AND ||
	    ps.tok == T_OR)) {
		perr(t->pos, "missing check name after '%s'", pv->text);
		return;
	}
	if (ps.tok_in_expr && ends_statement(ps.tok) && ps.tok_parens > 0) {
		perr(t->pos, "missing ')'");
		return;
	}
	if (ps.tok == ')' && ps.unmatched) {
		perr(t->pos, "unmatched ')'");
		return;
	}
	if (ps.tok_in_expr && !wants_operand(ps.prevtok) &&
	    is_operand(ps.tok, t)) {
		perr(t->pos, "missing 'and' or 'or' before '%s'", t->text);
		return;
	}
	if (pk != NULL && pk->value && !(pk->ctx & CTX_EXPR) &&
	    !ps.tok_in_expr &&
	    (ends_statement(ps.tok) || ps.tok == '{' || tk != NULL)) {
		perr(t->pos, "missing value after '%s'", pv->text);
		return;
	}
	if (ps.depth == 0 && ps.stmt_ntok == 3 && (ps.stmt_kw == T_NEIGHBOR ||
	    ps.stmt_kw == T_CHECK || ps.stmt_kw == T_PREFIX)) {
		perr(t->pos, "missing '{' after '%s %s'",
		    ps.stmt_kw == T_NEIGHBOR ? "neighbor" :
		    ps.stmt_kw == T_CHECK ? "check" : "prefix", pv->text);
		return;
	}

	switch (ps.tok) {
	case 0:
		perr(t->pos, "unexpected end of file");
		return;
	case '\n':
		if (strcmp(t->text, ";") == 0)
			perr(t->pos, "unexpected ';'");
		else
			perr(t->pos, "unexpected end of line");
		return;
	case T_STRING:
		if (t->quoted)
			perr(t->pos, "unexpected string \"%s\"", t->text);
		else if (looks_like_keyword(t->text) &&
		    (ps.depth > 0 || ps.tok_at_start ||
		    *hint(t->text, ctx | CTX_SUB, buf, sizeof(buf)) != '\0'))
			/* Where only the end of the line can come, a word is
			 * a keyword only if it resembles one. */
			perr(t->pos, "unknown keyword '%s'%s", t->text,
			    hint(t->text, ctx | CTX_SUB, buf, sizeof(buf)));
		else
			perr(t->pos, "unexpected '%s'", t->text);
		return;
	case T_NUMBER:
		perr(t->pos, "unexpected number %s", t->text);
		return;
	}
	if (tk != NULL && !(tk->ctx & (ctx | CTX_SUB | CTX_EXPR))) {
		if (ps.depth == 0)
			snprintf(where, sizeof(where), "at top level");
		else
			snprintf(where, sizeof(where), "in a %s block",
			    block_names[ps.block]);
		perr(t->pos, "'%s' is not valid %s%s", t->text, where,
		    hint(t->text, ctx, buf, sizeof(buf)));
		return;
	}
	perr(t->pos, "unexpected '%s'", t->text);
}

/* ------------------------------------------------------------------ */
/* Lexer                                                                */

static void *
arena_alloc(size_t n)
{
	struct arena_obj	*o;

	o = xmalloc(sizeof(*o) + n);
	o->next = ps.arena;
	ps.arena = o;
	return o->data;
}

static char *
arena_strndup(const char *s, size_t n)
{
	char	*p = arena_alloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
arena_free(void)
{
	struct arena_obj	*o;

	while ((o = ps.arena) != NULL) {
		ps.arena = o->next;
		free(o);
	}
}

static int
lpeek(size_t off)
{
	if ((size_t)(ps.end - ps.p) <= off)
		return EOF;
	return (unsigned char)ps.p[off];
}

static int
lgetc(void)
{
	int	c;

	if (ps.p >= ps.end)
		return EOF;
	c = (unsigned char)*ps.p++;
	if (c == '\n') {
		ps.at.line++;
		ps.at.col = 1;
	} else
		ps.at.col++;
	return c;
}

/* A backslash before the newline joins two lines. */
static bool
continuation(void)
{
	return lpeek(0) == '\\' && (lpeek(1) == '\n' ||
	    (lpeek(1) == '\r' && lpeek(2) == '\n'));
}

static bool
word_char(int c)
{
	return c != EOF && c > ' ' && c != 0x7f &&
	    strchr("{}();#\"", c) == NULL;
}

static int
lex_string(void)
{
	char			 buf[PARSE_STRING_MAX + 1];
	struct config_pos	 pos;
	size_t			 n = 0;
	bool			 toolong = false;
	int			 c;

	yylval.quoted = true;
	for (;;) {
		c = lpeek(0);
		if (c == EOF || c == '\n') {
			perr(yylval.pos, "unterminated string");
			break;
		}
		pos = ps.at;
		lgetc();
		if (c == '"')
			break;
		if (c == '\\') {
			c = lpeek(0);
			if (c == EOF || c == '\n')
				continue;	/* reported above */
			lgetc();
			if (c != '"' && c != '\\')
				perr(pos, "invalid escape '\\%c' in string "
				    "(only \\\" and \\\\)", c);
		} else if (c < ' ' && c != '\t') {
			perr(pos, "invalid character 0x%02x in string", c);
			continue;
		}
		if (n < PARSE_STRING_MAX)
			buf[n++] = c;
		else
			toolong = true;
	}
	if (toolong)
		perr(yylval.pos, "string too long (more than %d bytes)",
		    PARSE_STRING_MAX);
	yylval.text = arena_strndup(buf, n);
	return T_STRING;
}

static int
lex(void)
{
	char		buf[PARSE_WORD_MAX + 1];
	size_t		n;
	uint64_t	v;
	bool		toolong = false;
	int		c;

	memset(&yylval, 0, sizeof(yylval));
	yylval.kwidx = -1;
 again:
	for (;;) {
		c = lpeek(0);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v')
			lgetc();
		else if (continuation()) {
			while (lgetc() != '\n')
				;
		} else if (c == '#') {
			while ((c = lpeek(0)) != EOF && c != '\n')
				lgetc();
		} else
			break;
	}
	yylval.pos = ps.at;
	c = lgetc();
	switch (c) {
	case EOF:
		yylval.text = "end of file";
		return 0;
	case '\n':
		yylval.text = "\n";
		return '\n';
	case ';':
		yylval.text = ";";
		return '\n';
	case '{':
	case '}':
	case '(':
	case ')':
		yylval.text = arena_strndup(ps.p - 1, 1);
		return c;
	case '"':
		return lex_string();
	}
	if (!word_char(c)) {
		perr(yylval.pos, "invalid character 0x%02x", c);
		goto again;
	}
	buf[0] = c;
	n = 1;
	while (word_char(lpeek(0)) && !continuation()) {
		c = lgetc();
		if (n < PARSE_WORD_MAX)
			buf[n++] = c;
		else
			toolong = true;
	}
	buf[n] = '\0';
	if (toolong)
		perr(yylval.pos, "word too long (more than %d bytes)",
		    PARSE_WORD_MAX);
	yylval.text = arena_strndup(buf, n);
	if ((yylval.kwidx = keyword_index(buf)) != -1) {
		yylval.text = keywords[yylval.kwidx].name;
		return keywords[yylval.kwidx].token;
	}
	if (strspn(buf, "0123456789") == n) {
		/* Saturates: every range check then rejects it. */
		for (v = 0, n = 0; buf[n] != '\0'; n++) {
			if (v > (UINT64_MAX - (uint64_t)(buf[n] - '0')) / 10) {
				v = UINT64_MAX;
				break;
			}
			v = v * 10 + (buf[n] - '0');
		}
		yylval.num = v;
		yylval.isnum = true;
		return T_NUMBER;
	}
	return T_STRING;
}

/* Whether a '{' follows on this line, outside strings and comments. */
static bool
brace_on_line(void)
{
	const char	*p;
	bool		 quoted = false;

	for (p = ps.p; p < ps.end && *p != '\n'; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < ps.end && p[1] != '\n')
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"')
			quoted = true;
		else if (*p == '#')
			break;
		else if (*p == '{')
			return true;
	}
	return false;
}

static enum block
block_of(int tok)
{
	switch (tok) {
	case T_NEIGHBOR:
		return BLOCK_NEIGHBOR;
	case T_CHECK:
		return BLOCK_CHECK;
	case T_PREFIX:
		return BLOCK_PREFIX;
	}
	return BLOCK_OTHER;
}

/* Hands a token to the parser, keeping the lexer's view of the text. */
static int
emit(int tok)
{
	bool	was_start = ps.stmt_start;

	ps.prevtok = ps.tok;
	ps.prevval = ps.tokval;
	ps.tok = tok;
	ps.tokval = yylval;
	ps.tok_in_expr = ps.in_expr;
	ps.tok_parens = ps.parens;
	ps.tok_at_start = was_start;
	if (was_start && tok != '\n' && tok != '{' && tok != '}') {
		ps.stmt_kw = tok;
		ps.stmt_ntok = 0;
	}
	ps.stmt_ntok++;
	switch (tok) {
	case '\n':
		ps.in_expr = false;
		ps.parens = 0;
		ps.unmatched = false;
		break;
	case '{':
		if (ps.depth++ == 0) {
			ps.block = block_of(ps.stmt_kw);
			ps.block_pos = yylval.pos;
			memset(ps.present_blk, 0, sizeof(ps.present_blk));
		}
		ps.in_expr = false;
		break;
	case '}':
		if (ps.depth > 0)
			ps.depth--;
		ps.in_expr = false;
		break;
	case '(':
		ps.parens++;
		break;
	case ')':
		if (ps.parens == 0)
			ps.unmatched = true;
		else
			ps.parens--;
		break;
	}
	if (yylval.kwidx >= 0) {
		if (ps.depth == 0 && was_start)
			ps.present_top[yylval.kwidx] = true;
		else if (ps.depth > 0)
			ps.present_blk[yylval.kwidx] = true;
		/* A prefix setting after a complete operand ends the
		 * expression; after an operator it is a check's name. */
		if (tok == T_REQUIRES)
			ps.in_expr = true;
		else if (ps.in_expr && !wants_operand(ps.prevtok) &&
		    (keywords[yylval.kwidx].ctx & CTX_PREFIX))
			ps.in_expr = false;
	}
	ps.stmt_start = tok == '\n' || tok == '{' || tok == '}';
	return tok;
}

/* A top-level statement inside a block means its '}' is missing. */
static bool
closes_block(int tok)
{
	const struct keyword	*kw;

	if (yylval.kwidx < 0)
		return tok == 0;
	kw = &keywords[yylval.kwidx];
	if (kw->ctx != CTX_TOP)
		return false;
	/* "neighbor" in a prefix block is more likely "neighbors" mistyped
	 * than the start of a block, unless a '{' follows. */
	if (block_of(tok) != BLOCK_OTHER)
		return brace_on_line();
	return true;
}

int
yylex(void)
{
	int	tok;

	if (ps.stop) {
		memset(&yylval, 0, sizeof(yylval));
		yylval.kwidx = -1;
		yylval.text = "end of file";
		return 0;
	}
	if (ps.inject_close > 0) {
		ps.inject_close--;
		memset(&yylval, 0, sizeof(yylval));
		yylval.kwidx = -1;
		yylval.pos = ps.inject_pos;
		yylval.text = "}";
		return emit('}');
	}
	if (ps.inject_nl) {
		ps.inject_nl = false;
		memset(&yylval, 0, sizeof(yylval));
		yylval.kwidx = -1;
		yylval.pos = ps.inject_pos;
		yylval.text = "\n";
		return emit('\n');
	}
	if (ps.have_saved) {
		ps.have_saved = false;
		yylval = ps.saved_val;
		return emit(ps.saved_tok);
	}

	tok = lex();
	if (ps.depth > 0 && (tok == 0 || (ps.stmt_start && closes_block(tok)))) {
		perr(yylval.pos, "missing '}' for %s%sblock opened at line %u",
		    block_names[ps.block], ps.block == BLOCK_OTHER ? "" : " ",
		    ps.block_pos.line);
		ps.inject_close = ps.depth;
		ps.inject_nl = true;
	} else if (tok == 0 && ps.tok != '\n' && ps.tok != 0)
		ps.inject_nl = true;	/* the last line had no newline */
	else
		return emit(tok);
	ps.inject_pos = yylval.pos;
	ps.saved_tok = tok;
	ps.saved_val = yylval;
	ps.have_saved = true;
	return yylex();
}

/* ------------------------------------------------------------------ */
/* Values and their ranges                                              */

static struct parse_val
none(void)
{
	struct parse_val	v;

	memset(&v, 0, sizeof(v));
	v.kwidx = -1;
	return v;
}

/* Settings that may appear once; the second is reported. */
static bool
once(unsigned *seen, const struct parse_val *kw)
{
	if (kw->kwidx < 0)
		return true;
	if (seen[kw->kwidx] != 0) {
		perr(kw->pos, "'%s' given twice (first at line %u)", kw->text,
		    seen[kw->kwidx]);
		return false;
	}
	seen[kw->kwidx] = kw->pos.line;
	return true;
}

static bool
check_range(const struct parse_val *v, const char *what, uint64_t lo,
    uint64_t hi)
{
	if (v->bad)
		return false;
	if (v->num < lo || v->num > hi) {
		perr(v->pos, "%s %s is out of range (%llu..%llu)", what, v->text,
		    (unsigned long long)lo, (unsigned long long)hi);
		return false;
	}
	return true;
}

static bool
check_duration(const struct parse_val *v, const char *what, uint64_t lo,
    uint64_t hi)
{
	char	l[CONFIG_DURATION_STRLEN], h[CONFIG_DURATION_STRLEN];

	if (v->bad)
		return false;
	if (v->num < lo || v->num > hi) {
		perr(v->pos, "%s %s is out of range (%s..%s)", what, v->text,
		    config_duration_str(lo, l, sizeof(l)),
		    config_duration_str(hi, h, sizeof(h)));
		return false;
	}
	return true;
}

static bool
check_asn(const struct parse_val *v, const char *what)
{
	if (!check_range(v, what, 1, UINT32_MAX))
		return false;
	if (v->num == BGP_AS_TRANS) {
		/* RFC 6793 9: reserved for 2-octet speakers' AS paths. */
		perr(v->pos, "%s %s is AS_TRANS, which cannot be used", what,
		    v->text);
		return false;
	}
	return true;
}

static bool
check_port(const struct parse_val *v)
{
	return check_range(v, "port", 1, UINT16_MAX);
}

/* Checks run with a clean environment from /: paths must be absolute. */
static bool
check_path(const struct parse_val *v, const char *what)
{
	if (v->text[0] != '/') {
		perr(v->pos, "%s path '%s' must be absolute", what, v->text);
		return false;
	}
	return true;
}

/* Check, user and group names: a letter, then letters, digits, - _ . */
static bool
valid_name(const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n == 0 || n > max)
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

static size_t
block_errors(void)
{
	return ps.errs != NULL ? ps.errs->nerrors : 0;
}

static bool
addr_unusable(const struct config_addr *a)
{
	static const uint8_t	zero[16];

	if (a->aid == BGP_AID_IPV4)
		return memcmp(a->addr, zero, 4) == 0 || a->addr[0] >= 224;
	return memcmp(a->addr, zero, 16) == 0 || a->addr[0] == 0xff;
}

/* ------------------------------------------------------------------ */
/* Global settings                                                      */

static void
set_router_id(const struct parse_val *kw, const struct parse_val *v)
{
	uint32_t	id;

	if (!once(ps.once_top, kw) || v->bad)
		return;
	if (v->addr.aid != BGP_AID_IPV4) {
		perr(v->pos, "router-id %s is not an IPv4 address", v->text);
		return;
	}
	memcpy(&id, v->addr.addr, sizeof(id));
	id = ntohl(id);
	/* RFC 6286 2.1: non-zero; peers reject multicast ones too. */
	if (id == 0 || id >= 0xe0000000) {
		perr(v->pos, "router-id %s is not a unicast address", v->text);
		return;
	}
	ps.conf->router_id = id;
}

static void
add_listen(const struct parse_val *a, const struct parse_val *port)
{
	struct listen_conf	*l;
	uint16_t		 p;

	if (a->bad || port->bad)
		return;
	p = port->text != NULL ? port->num : CONFIG_DEFAULT_LISTEN_PORT;
	TAILQ_FOREACH(l, &ps.conf->listens, entry) {
		if (l->port == p && config_addr_equal(&l->addr, &a->addr)) {
			perr(a->pos, "listen %s port %u given twice (first at "
			    "line %u)", a->text, p, l->pos.line);
			return;
		}
	}
	l = xcalloc(1, sizeof(*l));
	l->addr = a->addr;
	l->port = p;
	l->pos = a->pos;
	TAILQ_INSERT_TAIL(&ps.conf->listens, l, entry);
}

static void
set_control(const struct parse_val *kw, const struct parse_val *v)
{
	size_t	max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

	memset(ps.once_ctl, 0, sizeof(ps.once_ctl));
	if (!once(ps.once_top, kw))
		return;
	if (v->text[0] == '\0')
		perr(v->pos, "control socket path is empty");
	else if (strlen(v->text) > max)
		perr(v->pos, "control socket path is too long (%zu bytes, at "
		    "most %zu)", strlen(v->text), max);
	else {
		free(ps.conf->control_path);
		ps.conf->control_path = xstrdup(v->text);
	}
}

static void
set_control_mode(const struct parse_val *kw, const struct parse_val *v)
{
	unsigned long	mode;

	if (!once(ps.once_ctl, kw))
		return;
	if (!v->isnum || strlen(v->text) > 4 ||
	    strspn(v->text, "01234567") != strlen(v->text) ||
	    (mode = strtoul(v->text, NULL, 8)) > 0777) {
		perr(v->pos, "invalid mode '%s' (octal, 0000..0777)", v->text);
		return;
	}
	ps.conf->control_mode = mode;
}

/*
 * state-file, user and control group. kw is NULL when the caller has
 * already checked for repetition.
 */
static void
set_string(char **dst, const struct parse_val *kw, const struct parse_val *v)
{
	if (kw != NULL && !once(ps.once_top, kw))
		return;
	if (dst == &ps.conf->state_file) {
		if (v->text[0] == '\0') {
			perr(v->pos, "state-file path is empty");
			return;
		}
	} else if (!valid_name(v->text, PARSE_NAME_MAX)) {
		perr(v->pos, "invalid %s name '%s'",
		    dst == &ps.conf->user ? "user" : "group", v->text);
		return;
	}
	free(*dst);
	*dst = xstrdup(v->text);
}

static void
set_metrics(const struct parse_val *kw, const struct parse_val *a,
    const struct parse_val *port)
{
	if (!once(ps.once_top, kw) || a->bad || port->bad)
		return;
	ps.conf->metrics = true;
	ps.conf->metrics_addr = a->addr;
	if (port->text != NULL)
		ps.conf->metrics_port = port->num;
}

static void
set_log(const struct parse_val *kw, const struct parse_val *v)
{
	if (!once(ps.once_top, kw))
		return;
	if (strcmp(v->text, "syslog") == 0)
		ps.conf->log_syslog = true;
	else if (strcmp(v->text, "stderr") == 0)
		ps.conf->log_syslog = false;
	else
		perr(v->pos, "unknown log destination '%s' (syslog or stderr)",
		    v->text);
}

/* ------------------------------------------------------------------ */
/* Neighbors                                                            */

static void
neighbor_begin(const struct parse_val *a)
{
	ps.nb = config_neighbor_new(ps.conf);
	ps.nb->pos = a->pos;
	ps.blk_nerrors = block_errors();
	memset(ps.once_blk, 0, sizeof(ps.once_blk));
	memset(ps.next_hop_pos, 0, sizeof(ps.next_hop_pos));
	ps.family_given = false;
	if (a->bad)
		ps.nb->bad = true;
	else if (addr_unusable(&a->addr)) {
		perr(a->pos, "%s cannot be a neighbor address", a->text);
		ps.nb->bad = true;
	} else
		ps.nb->conf.addr = a->addr;
}

static const char *
aid_family(int aid)
{
	return aid == BGP_AID_IPV6 ? "ipv6 unicast" : "ipv4 unicast";
}

static const char *
aid_ip(int aid)
{
	return aid == BGP_AID_IPV6 ? "IPv6" : "IPv4";
}

static void
neighbor_end(void)
{
	struct neighbor_conf	*n = &ps.nb->conf;
	char			 addr[CONFIG_ADDR_STRLEN];
	char			 nh[CONFIG_ADDR_STRLEN];
	int			 aid;

	if (ps.nb->bad) {
		ps.nb = NULL;
		return;
	}
	config_addr_ntop(&n->addr, addr, sizeof(addr));
	/* After an error in the block, what is missing may be its victim. */
	if (!ps.present_blk[keyword_index("remote-as")] &&
	    block_errors() == ps.blk_nerrors)
		perr(ps.nb->pos, "neighbor %s has no remote-as", addr);
	if (!ps.family_given)
		n->family[n->addr.aid] = true;
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (n->has_next_hop[aid] && !n->family[aid])
			perr(ps.next_hop_pos[aid], "next-hop %s is %s, but "
			    "neighbor %s does not carry %s",
			    config_addr_ntop(&n->next_hop[aid], nh, sizeof(nh)),
			    aid_ip(aid), addr, aid_family(aid));
		/* The session's own address cannot be the next hop of the
		 * other family. */
		else if (n->family[aid] && !n->has_next_hop[aid] &&
		    aid != n->addr.aid)
			pwarn(ps.nb->pos, "neighbor %s carries %s over %s "
			    "without an %s next-hop", addr, aid_family(aid),
			    aid_ip(n->addr.aid), aid_ip(aid));
	}
	ps.nb = NULL;
}

static void
set_local_address(const struct parse_val *kw, const struct parse_val *a)
{
	struct neighbor_conf	*n = &ps.nb->conf;

	if (!once(ps.once_blk, kw) || a->bad)
		return;
	if (!ps.nb->bad && a->addr.aid != n->addr.aid) {
		perr(a->pos, "local-address %s is %s, but the neighbor is %s",
		    a->text, aid_ip(a->addr.aid), aid_ip(n->addr.aid));
		return;
	}
	n->has_local_addr = true;
	n->local_addr = a->addr;
}

static void
set_hold_time(const struct parse_val *kw, const struct parse_val *v)
{
	if (!once(ps.once_blk, kw) || v->bad)
		return;
	if (v->num % 1000 != 0) {
		perr(v->pos, "hold-time %s is not a whole number of seconds",
		    v->text);
		return;
	}
	/* RFC 4271 4.2: zero, or at least three seconds. */
	if ((v->num != 0 && v->num < 3000) || v->num > 65535000) {
		perr(v->pos, "hold-time %s is out of range (0 or 3..65535 "
		    "seconds)", v->text);
		return;
	}
	ps.nb->conf.hold_time = v->num / 1000;
}

/* description and password: bounded text in the value-type conf. */
static void
set_bytes(char *dst, size_t size, const struct parse_val *kw,
    const struct parse_val *v)
{
	if (!once(ps.once_blk, kw))
		return;
	if (v->text[0] == '\0')
		perr(v->pos, "%s is empty", kw->text);
	else if (strlen(v->text) >= size)
		perr(v->pos, "%s is too long (%zu bytes, at most %zu)",
		    kw->text, strlen(v->text), size - 1);
	else
		strlcpy(dst, v->text, size);
}

static void
add_family(const struct parse_val *kw, const struct parse_val *afi,
    const struct parse_val *safi)
{
	int	aid;

	if (strcmp(afi->text, "ipv4") == 0)
		aid = BGP_AID_IPV4;
	else if (strcmp(afi->text, "ipv6") == 0)
		aid = BGP_AID_IPV6;
	else {
		perr(afi->pos, "unknown family '%s' (ipv4 or ipv6)", afi->text);
		return;
	}
	if (safi->text != NULL && strcmp(safi->text, "unicast") != 0) {
		perr(safi->pos, "unknown subsequent family '%s' (only unicast)",
		    safi->text);
		return;
	}
	if (ps.family_given && ps.nb->conf.family[aid]) {
		perr(kw->pos, "family %s given twice", aid_family(aid));
		return;
	}
	ps.family_given = true;
	ps.nb->conf.family[aid] = true;
}

static void
add_next_hop(const struct parse_val *kw, const struct parse_val *a)
{
	struct neighbor_conf	*n = &ps.nb->conf;
	int			 aid;

	if (a->bad)
		return;
	aid = a->addr.aid;
	if (n->has_next_hop[aid]) {
		perr(kw->pos, "%s next-hop given twice (first at line %u)",
		    aid_ip(aid), ps.next_hop_pos[aid].line);
		return;
	}
	if (addr_unusable(&a->addr)) {
		perr(a->pos, "%s cannot be a next-hop", a->text);
		return;
	}
	n->has_next_hop[aid] = true;
	n->next_hop[aid] = a->addr;
	ps.next_hop_pos[aid] = a->pos;
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */

static void
check_begin(const struct parse_val *name)
{
	ps.ck = config_check_new(ps.conf, name->text);
	ps.ck->pos = name->pos;
	ps.blk_nerrors = block_errors();
	memset(ps.once_blk, 0, sizeof(ps.once_blk));
	memset(&ps.timeout_pos, 0, sizeof(ps.timeout_pos));
	ps.timeout_set = false;
	memset(&ps.type_pos, 0, sizeof(ps.type_pos));
	if (!valid_name(name->text, CHECK_NAME_MAX)) {
		perr(name->pos, "invalid check name '%s' (a letter, then "
		    "letters, digits, '-', '_' or '.')", name->text);
		ps.ck->bad = true;
	}
}

static void
check_end(void)
{
	static const char *const types[] = {
		"http", "dns", "tcp", "exec", "file", "process"
	};
	struct check_conf	*c = ps.ck;
	char			 t[CONFIG_DURATION_STRLEN];
	char			 i[CONFIG_DURATION_STRLEN];
	size_t			 k;
	bool			 typed = false;

	ps.ck = NULL;
	if (c->bad)
		return;
	for (k = 0; k < nitems(types); k++) {
		if (ps.present_blk[keyword_index(types[k])])
			typed = true;
	}
	if (block_errors() != ps.blk_nerrors)
		;	/* what is missing may be a victim of that error */
	else if (!typed)
		perr(c->pos, "check '%s' has no type (http, dns, tcp, exec, "
		    "file or process)", c->name);
	else if (c->type == CHECK_TCP &&
	    !ps.present_blk[keyword_index("port")])
		perr(ps.type_pos, "tcp check '%s' needs a port", c->name);
	else if (c->type == CHECK_DNS &&
	    !ps.present_blk[keyword_index("server")])
		perr(ps.type_pos, "dns check '%s' needs a server", c->name);

	if (!ps.timeout_set) {
		if (ps.once_blk[keyword_index("timeout")] == 0 &&
		    c->timeout_ms > c->interval_ms)
			c->timeout_ms = c->interval_ms;
	} else if (c->timeout_ms > c->interval_ms)
		perr(ps.timeout_pos, "timeout %s is longer than interval %s",
		    config_duration_str(c->timeout_ms, t, sizeof(t)),
		    config_duration_str(c->interval_ms, i, sizeof(i)));
}

static bool
set_type(const struct parse_val *kw, enum check_type type)
{
	if (ps.ck->type != CHECK_NONE) {
		perr(kw->pos, "check '%s' already has type %s", ps.ck->name,
		    check_type_name(ps.ck->type));
		return false;
	}
	ps.ck->type = type;
	ps.type_pos = kw->pos;
	return true;
}

/* http://HOST[:PORT][/PATH]; HOST may be [IPv6]. No TLS, no user info. */
static void
set_http(const struct parse_val *kw, const struct parse_val *v)
{
	struct config_addr	 a;
	const char		*url = v->text, *h, *hend, *p, *colon = NULL;
	char			*host = NULL;
	uint64_t		 port = 80;

	if (!set_type(kw, CHECK_HTTP))
		return;
	if (strncmp(url, "http://", 7) != 0) {
		perr(v->pos, "URL '%s' does not start with http://", url);
		return;
	}
	if (strcspn(url, " \t") != strlen(url))
		goto bad;
	h = url + 7;
	hend = h + strcspn(h, "/?#");
	if (*h == '[') {
		if ((p = memchr(h, ']', hend - h)) == NULL)
			goto bad;
		host = xstrdup(h + 1);
		host[p - h - 1] = '\0';
		if (config_addr_pton(host, &a) == -1 ||
		    a.aid != BGP_AID_IPV6)
			goto bad;
		if (p + 1 < hend) {
			if (p[1] != ':')
				goto bad;
			colon = p + 1;
		}
	} else {
		colon = memchr(h, ':', hend - h);
		host = xstrdup(h);
		host[(colon != NULL ? colon : hend) - h] = '\0';
		if (host[0] == '\0' || strspn(host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != strlen(host))
			goto bad;
	}
	if (colon != NULL) {
		if (colon + 1 == hend || colon + 6 < hend)
			goto bad;
		port = 0;
		for (p = colon + 1; p < hend; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > UINT16_MAX)
			goto bad;
	}
	if (*hend == '#')
		goto bad;
	ps.ck->http.url = xstrdup(url);
	ps.ck->http.host = host;
	ps.ck->http.port = port;
	if (*hend == '/')
		ps.ck->http.path = xstrdup(hend);
	else if (asprintf(&ps.ck->http.path, "/%s", hend) == -1)
		fatal("asprintf");
	return;
 bad:
	free(host);
	perr(v->pos, "invalid URL '%s'", url);
}

static void
set_dns(const struct parse_val *kw, const struct parse_val *v)
{
	const char	*s = v->text, *dot;
	size_t		 len = strlen(s), label;

	if (!set_type(kw, CHECK_DNS))
		return;
	/* RFC 1035 2.3.4: labels of 1..63 octets, 255 in all. */
	if (strcmp(s, ".") != 0) {
		if (len == 0 || len > 253 + (s[len - 1] == '.'))
			goto bad;
		if (strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != len)
			goto bad;
		for (; *s != '\0'; s = *dot == '\0' ? dot : dot + 1) {
			dot = s + strcspn(s, ".");
			label = dot - s;
			if (label == 0 || label > 63)
				goto bad;
		}
	}
	ps.ck->dns.qname = xstrdup(v->text);
	return;
 bad:
	perr(v->pos, "invalid DNS name '%s'", v->text);
}

static void
set_dns_type(const struct parse_val *kw, const struct parse_val *v)
{
	uint16_t	type;

	if (!once(ps.once_blk, kw))
		return;
	if (config_dns_type_parse(v->text, &type) == -1) {
		perr(v->pos, "unknown DNS type '%s'", v->text);
		return;
	}
	ps.ck->dns.qtype = type;
}

/* The path first, then each argument; none without a good path. */
static void
add_exec_arg(const struct parse_val *v, bool path)
{
	struct check_conf	*c = ps.ck;

	if (c->type != CHECK_EXEC || (!path && c->exec.argc == 0))
		return;
	c->exec.argv = xreallocarray(c->exec.argv, c->exec.argc + 2,
	    sizeof(*c->exec.argv));
	c->exec.argv[c->exec.argc++] = xstrdup(v->text);
	c->exec.argv[c->exec.argc] = NULL;
}

static void
set_file(const struct parse_val *kw, const struct parse_val *v,
    const struct parse_val *state)
{
	if (!set_type(kw, CHECK_FILE) || !check_path(v, "file"))
		return;
	if (state->text == NULL || strcmp(state->text, "present") == 0)
		ps.ck->file.absent = false;
	else if (strcmp(state->text, "absent") == 0)
		ps.ck->file.absent = true;
	else {
		perr(state->pos, "expected 'present' or 'absent', got '%s'",
		    state->text);
		return;
	}
	ps.ck->file.path = xstrdup(v->text);
}

/* ------------------------------------------------------------------ */
/* Prefixes                                                             */

static void
prefix_begin(const struct parse_val *v)
{
	char	err[256];

	ps.px = config_prefix_new(ps.conf);
	ps.px->pos = v->pos;
	memset(ps.once_blk, 0, sizeof(ps.once_blk));
	if (config_prefix_pton(v->text, &ps.px->prefix, err,
	    sizeof(err)) == -1) {
		perr(v->pos, "%s", err);
		ps.px->bad = true;
	}
}

/* Builds a node in the arena; op is the operator token (or the name). */
static struct parse_val
mkexpr(enum expr_op op, const struct parse_val *opv,
    const struct parse_val *l, const struct parse_val *r)
{
	struct parse_val	 v = none();
	struct expr		*e;

	v.pos = opv->pos;
	v.text = opv->text;
	if ((l != NULL && l->bad) || (r != NULL && r->bad)) {
		v.bad = true;
		return v;
	}
	e = arena_alloc(sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->pos = opv->pos;
	v.depth = 1;
	if (op == EXPR_CHECK)
		e->name = (char *)opv->text;
	else {
		e->left = l->expr;
		e->right = r != NULL ? r->expr : NULL;
		v.depth = 1 + (r != NULL && r->depth > l->depth ?
		    r->depth : l->depth);
	}
	v.expr = e;
	if (v.depth > PARSE_EXPR_DEPTH_MAX) {
		perr(opv->pos, "requires expression too deeply nested");
		v.bad = true;
	}
	return v;
}

static void
add_community(const struct parse_val *v)
{
	struct prefix_conf	*p = ps.px;
	uint32_t		 c;
	size_t			 i;

	if (config_community_parse(v->text, &c) == -1) {
		perr(v->pos, "invalid community '%s' (ASN:VALUE, each "
		    "0..65535, or a well-known name)", v->text);
		return;
	}
	for (i = 0; i < p->ncommunities; i++) {
		if (p->communities[i] == c) {
			perr(v->pos, "community %s given twice", v->text);
			return;
		}
	}
	p->communities = xreallocarray(p->communities, p->ncommunities + 1,
	    sizeof(*p->communities));
	p->communities[p->ncommunities++] = c;
}

static void
add_large_community(const struct parse_val *v)
{
	struct prefix_conf	*p = ps.px;
	struct large_community	 lc, *o;
	size_t			 i;

	if (config_large_community_parse(v->text, &lc) == -1) {
		perr(v->pos, "invalid large community '%s' (GLOBAL:LOCAL1:"
		    "LOCAL2, each 0..4294967295)", v->text);
		return;
	}
	for (i = 0; i < p->nlarge_communities; i++) {
		o = &p->large_communities[i];
		if (o->global == lc.global && o->local1 == lc.local1 &&
		    o->local2 == lc.local2) {
			perr(v->pos, "large-community %s given twice",
			    v->text);
			return;
		}
	}
	p->large_communities = xreallocarray(p->large_communities,
	    p->nlarge_communities + 1, sizeof(*p->large_communities));
	p->large_communities[p->nlarge_communities++] = lc;
}

static void
add_prefix_neighbor(const struct parse_val *a)
{
	struct prefix_conf	*p = ps.px;
	size_t			 i;

	if (a->bad)
		return;
	for (i = 0; i < p->nneighbors; i++) {
		if (config_addr_equal(&p->neighbors[i].addr, &a->addr)) {
			perr(a->pos, "neighbor %s listed twice", a->text);
			return;
		}
	}
	p->neighbors = xreallocarray(p->neighbors, p->nneighbors + 1,
	    sizeof(*p->neighbors));
	p->neighbors[p->nneighbors].addr = a->addr;
	p->neighbors[p->nneighbors].pos = a->pos;
	p->nneighbors++;
}

static void
set_on_down(const struct parse_val *kw, const struct parse_val *action,
    const struct parse_val *dur)
{
	uint64_t	ms;

	if (!once(ps.once_blk, kw))
		return;
	if (strcmp(action->text, "withdraw") == 0) {
		if (dur->text != NULL) {
			perr(dur->pos, "on-down withdraw takes no duration");
			return;
		}
		ps.px->on_down = PREFIX_ON_DOWN_WITHDRAW;
	} else if (strcmp(action->text, "graceful-shutdown") == 0) {
		if (dur->text == NULL) {
			perr(action->pos, "on-down graceful-shutdown needs a "
			    "duration (how long before the withdraw)");
			return;
		}
		if (config_duration_parse(dur->text, &ms) == -1) {
			perr(dur->pos, "invalid duration '%s' (a number with "
			    "ms, s, m or h)", dur->text);
			return;
		}
		if (ms < 1000 || ms > 86400000) {
			perr(dur->pos, "graceful-shutdown %s is out of range "
			    "(1s..24h)", dur->text);
			return;
		}
		ps.px->on_down = PREFIX_ON_DOWN_GSHUT;
		ps.px->gshut_ms = ms;
	} else
		perr(action->pos, "unknown on-down action '%s' (withdraw or "
		    "graceful-shutdown)", action->text);
}

/* ------------------------------------------------------------------ */

void
parse_config_text(struct config *conf, const char *text, size_t len,
    struct config_errors *errs)
{
	static bool		checked;
	struct config_pos	top = { 1, 1 };

	if (!checked) {
		keyword_table_check();
		checked = true;
	}
	memset(&ps, 0, sizeof(ps));
	ps.conf = conf;
	ps.errs = errs;
	ps.file = conf->file;
	ps.p = text;
	ps.end = text + len;
	ps.at.line = 1;
	ps.at.col = 1;
	ps.stmt_start = true;
	ps.tok = '\n';
	ps.prevtok = '\n';
	ps.tokval = none();
	ps.prevval = none();

	yyparse();

	if (!ps.stop) {
		if (!ps.present_top[keyword_index("router-id")])
			perr(top, "missing router-id");
		if (!ps.present_top[keyword_index("local-as")])
			perr(top, "missing local-as");
	}
	arena_free();
	memset(&ps, 0, sizeof(ps));
}
