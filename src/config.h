/*
 * The configuration as parsed from anycastd.conf: global settings,
 * neighbors, health checks and prefixes, plus the `requires` expressions
 * that tie prefixes to checks.  parse.y turns text into a struct config,
 * config.c checks it as a whole and answers lookups, printconf.c prints it
 * back in canonical form.
 *
 * A struct config is immutable once config_parse_*() returns it.  Reload
 * parses into a new one and compares pieces with the *_equal() functions.
 * Every default below is what a setting has when the file does not
 * mention it; the canonical print always spells each one out.
 */
#ifndef ANYCASTD_CONFIG_H
#define ANYCASTD_CONFIG_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgp.h"
#include "util.h"

/* Install paths come from the build (-D, STYLE 12); else the usual ones. */
#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef CONFIG_DEFAULT_CONTROL_PATH
#define CONFIG_DEFAULT_CONTROL_PATH	RUNSTATEDIR "/anycastd/anycastd.sock"
#endif
#ifndef CONFIG_DEFAULT_STATE_FILE
#define CONFIG_DEFAULT_STATE_FILE	LOCALSTATEDIR "/lib/anycastd/state"
#endif

#define CONFIG_DEFAULT_CONTROL_MODE	0660	/* owner and group may control */
#define CONFIG_DEFAULT_LISTEN_PORT	179	/* RFC 4271 8.2.1 */
#define CONFIG_DEFAULT_METRICS_PORT	9179

/* RFC 4271 10 suggests 90 s; 0 (no keepalives) or 3..65535 (RFC 4271 4.2). */
#define NEIGHBOR_DEFAULT_HOLD_TIME	90
/* Shorter than RFC 4271's 120 s: an anycast PoP wants its routes back soon
 * after an upstream returns. Allowed: 100ms..1h. */
#define NEIGHBOR_DEFAULT_CONNECT_RETRY_MS 5000
#define NEIGHBOR_DESCR_MAX		127	/* bytes, without the NUL */
#define NEIGHBOR_PASSWORD_MAX		80	/* TCP_MD5SIG_MAXKEYLEN */

/*
 * Check defaults: a run every second, each run given at most a second (and
 * never more than the interval), two results in a row to change state, so
 * one lost probe neither announces nor withdraws.  Allowed: interval
 * 100ms..24h, timeout 10ms..interval, rise and fall 1..100.
 */
#define CHECK_DEFAULT_INTERVAL_MS	1000
#define CHECK_DEFAULT_TIMEOUT_MS	1000
#define CHECK_DEFAULT_RISE		2
#define CHECK_DEFAULT_FALL		2
#define CHECK_DEFAULT_HTTP_EXPECT	200
#define CHECK_DEFAULT_DNS_PORT		53
#define CHECK_DEFAULT_DNS_TYPE		1	/* A */
#define CHECK_NAME_MAX			63

#define PREFIX_PREPEND_MAX		16

/* Errors after this many are dropped, and parsing stops. */
#define CONFIG_MAX_ERRORS		20

/* Room for config_addr_ntop() and config_prefix_ntop(). */
#define CONFIG_ADDR_STRLEN		46	/* INET6_ADDRSTRLEN */
#define CONFIG_PREFIX_STRLEN		(CONFIG_ADDR_STRLEN + 4)
#define CONFIG_DURATION_STRLEN		24
#define CONFIG_COMMUNITY_STRLEN		32

/* Where something was written; line 0 means the file as a whole. */
struct config_pos {
	unsigned	line;		/* from 1 */
	unsigned	col;		/* from 1, counted in bytes (a tab is 1) */
};

/* An IPv4 or IPv6 address, laid out like struct bgp_prefix. */
struct config_addr {
	uint8_t		aid;		/* enum bgp_aid */
	uint8_t		addr[16];	/* network order; IPv4 uses 4 */
};

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */

struct config_error {
	struct config_pos pos;
	bool		 warning;
	char		*text;		/* "FILE:LINE:COL: message" */
};

/*
 * What parsing found, sorted by position. Warnings ("FILE:L:C: warning:
 * ...") do not stop a configuration from loading; errors do.
 */
struct config_errors {
	struct config_error *v;
	size_t		 n;		/* entries in v */
	size_t		 nerrors;	/* entries that are not warnings */
};

/* Releases the messages; errs itself may live on the stack. */
void	 config_errors_free(struct config_errors *errs);

/* ------------------------------------------------------------------ */
/* Neighbors                                                            */

/*
 * One neighbor block. A plain value: no pointers, so a runtime peer can
 * embed it by copy and reload can compare two with neighbor_conf_equal().
 * Whoever holds a copy clears it with neighbor_conf_wipe() (the password).
 */
struct neighbor_conf {
	struct config_addr addr;
	uint32_t	remote_as;
	char		descr[NEIGHBOR_DESCR_MAX + 1];	/* "" when none */
	bool		has_local_addr;
	struct config_addr local_addr;	/* same family as addr */
	uint16_t	hold_time;	/* seconds; default 90 */
	uint32_t	connect_retry_ms;	/* default 5s */
	bool		passive;	/* wait for the peer to connect */
	char		password[NEIGHBOR_PASSWORD_MAX + 1];	/* RFC 2385; "" none */
	bool		ttl_security;	/* RFC 5082 */
	/* Families to negotiate; default the family of addr alone. */
	bool		family[BGP_AID_MAX];
	/* Next hop per family; without one, the session's local address. */
	bool		has_next_hop[BGP_AID_MAX];
	struct config_addr next_hop[BGP_AID_MAX];
};

struct config_neighbor {
	TAILQ_ENTRY(config_neighbor) entry;
	struct neighbor_conf conf;
	struct config_pos pos;		/* of the address */
	bool		 bad;		/* header unusable; skipped by checks */
};

void	 neighbor_conf_init(struct neighbor_conf *);	/* the defaults */
bool	 neighbor_conf_equal(const struct neighbor_conf *,
	    const struct neighbor_conf *);
/* Clears the secret in a copy before it is dropped. */
void	 neighbor_conf_wipe(struct neighbor_conf *);

/* ------------------------------------------------------------------ */
/* Health checks                                                        */

enum check_type {
	CHECK_NONE,			/* only while parsing */
	CHECK_HTTP,
	CHECK_DNS,
	CHECK_TCP,
	CHECK_EXEC,
	CHECK_FILE,
	CHECK_PROCESS,
	CHECK_TYPE_MAX
};

/* One check block. Only the member for its type is filled in. */
struct check_conf {
	TAILQ_ENTRY(check_conf) entry;
	char		*name;
	unsigned	 index;		/* 0.. in file order, for runtime arrays */
	enum check_type	 type;
	uint32_t	 interval_ms;
	uint32_t	 timeout_ms;	/* <= interval_ms */
	unsigned	 rise;		/* successes in a row to go up */
	unsigned	 fall;		/* failures in a row to go down */
	struct {
		char	*url;		/* as written */
		char	*host;		/* without [ ] around an IPv6 literal */
		uint16_t port;		/* default 80 */
		char	*path;		/* with the query; default "/" */
		uint16_t expect;	/* status code; default 200 */
	}		 http;
	struct {
		char	*qname;
		uint16_t qtype;		/* default A */
		struct config_addr server;
		uint16_t port;		/* default 53 */
	}		 dns;
	struct {
		struct config_addr addr;
		uint16_t port;
	}		 tcp;
	struct {
		char	**argv;		/* argv[0] is the absolute path; NULL-ended */
		size_t	 argc;
	}		 exec;
	struct {
		char	*path;
		bool	 absent;	/* up while the file does not exist */
	}		 file;
	struct {
		char	*pidfile;
	}		 process;
	struct config_pos pos;		/* of the name */
	bool		 bad;
};

const char	*check_type_name(enum check_type);	/* "http" */
/* "AAAA" for 28; NULL for a type the parser does not know. */
const char	*config_dns_type_name(uint16_t);
bool		 check_conf_equal(const struct check_conf *,
		    const struct check_conf *);

/* ------------------------------------------------------------------ */
/* Requires expressions                                                 */

enum expr_op {
	EXPR_CHECK,
	EXPR_NOT,		/* left only */
	EXPR_AND,
	EXPR_OR,
};

/*
 * A node of a `requires` expression. not binds tighter than and, and
 * tighter than or; the tree keeps the grouping as written.
 */
struct expr {
	enum expr_op	 op;
	struct expr	*left;
	struct expr	*right;
	char		*name;		/* EXPR_CHECK */
	const struct check_conf *check;	/* resolved when parsing ends */
	struct config_pos pos;
};

typedef bool	 expr_check_cb(void *arg, const struct check_conf *);

/* A NULL expression (no `requires`) is true; an unresolved name false. */
bool	 expr_eval(const struct expr *, expr_check_cb *check_up, void *arg);
/*
 * Writes "web and (dns or port)" with the fewest parentheses that keep the
 * tree; returns the length it needed, like snprintf. NULL prints "".
 */
int	 expr_print(char *buf, size_t len, const struct expr *);
bool	 expr_equal(const struct expr *, const struct expr *);
struct expr	*expr_dup(const struct expr *);
void	 expr_free(struct expr *);

/* ------------------------------------------------------------------ */
/* Prefixes                                                             */

enum prefix_on_down {
	PREFIX_ON_DOWN_WITHDRAW,	/* default */
	PREFIX_ON_DOWN_GSHUT,		/* RFC 8326, then withdraw */
};

struct large_community {		/* RFC 8092 */
	uint32_t	global;
	uint32_t	local1;
	uint32_t	local2;
};

struct prefix_neighbor {
	struct config_addr addr;
	struct config_pos pos;
};

struct prefix_conf {
	TAILQ_ENTRY(prefix_conf) entry;
	struct bgp_prefix prefix;	/* host bits zero, path_id 0 */
	struct expr	*requires;	/* NULL: always announced */
	uint32_t	*communities;	/* RFC 1997, high 16 bits the ASN */
	size_t		 ncommunities;
	struct large_community *large_communities;
	size_t		 nlarge_communities;
	bool		 has_med;
	uint32_t	 med;
	unsigned	 prepend;	/* extra copies of local-as, 0..16 */
	/* Only to these neighbors; none means every one of the family. */
	struct prefix_neighbor *neighbors;
	size_t		 nneighbors;
	enum prefix_on_down on_down;
	/* PREFIX_ON_DOWN_GSHUT: how long before the withdraw, 1s..24h. */
	uint32_t	 gshut_ms;
	struct config_pos pos;
	bool		 bad;
};

bool	 prefix_conf_equal(const struct prefix_conf *,
	    const struct prefix_conf *);
/* Whether p is meant for neighbor n: n carries the family and is listed
 * (or the prefix lists none). */
bool	 config_prefix_applies(const struct prefix_conf *p,
	    const struct neighbor_conf *n);

/* ------------------------------------------------------------------ */
/* The whole configuration                                              */

struct listen_conf {
	TAILQ_ENTRY(listen_conf) entry;
	struct config_addr addr;
	uint16_t	port;		/* default 179 */
	struct config_pos pos;
};

TAILQ_HEAD(listen_confs, listen_conf);
TAILQ_HEAD(config_neighbors, config_neighbor);
TAILQ_HEAD(check_confs, check_conf);
TAILQ_HEAD(prefix_confs, prefix_conf);

struct config {
	char		*file;		/* the name errors use */
	uint32_t	 router_id;	/* host order, as struct bgp_open */
	uint32_t	 local_as;
	struct listen_confs listens;	/* none: outgoing sessions only */
	char		*control_path;
	mode_t		 control_mode;
	char		*control_group;	/* NULL: leave the group alone */
	char		*state_file;
	bool		 metrics;	/* serve /metrics */
	struct config_addr metrics_addr;
	uint16_t	 metrics_port;
	char		*user;		/* NULL: do not drop privileges */
	bool		 log_syslog;	/* default: stderr */
	struct config_neighbors neighbors;
	struct check_confs checks;
	struct prefix_confs prefixes;
	size_t		 nneighbors;
	size_t		 nchecks;
	size_t		 nprefixes;
};

/*
 * Parses and checks a file or a string (name is what errors call it).
 * Returns NULL when there is any error; errs, which may be NULL, receives
 * every error and warning and is released with config_errors_free().
 * Not reentrant: the grammar has global state.
 */
struct config	*config_parse_file(const char *path, struct config_errors *errs);
struct config	*config_parse_string(const char *name, const char *text,
		    struct config_errors *errs);
void		 config_free(struct config *);

/*
 * Writes the canonical form: every setting spelt out with its default,
 * in a fixed order, so that it parses back to an equal configuration.
 */
void		 config_print(FILE *, const struct config *);

struct config_neighbor	*config_find_neighbor(const struct config *,
			    const struct config_addr *);
struct check_conf	*config_find_check(const struct config *,
			    const char *name);
struct prefix_conf	*config_find_prefix(const struct config *,
			    const struct bgp_prefix *);

/* Text forms of values, shared by the parser, printconf and show. */
int		 config_addr_pton(const char *, struct config_addr *);
const char	*config_addr_ntop(const struct config_addr *, char *, size_t);
bool		 config_addr_equal(const struct config_addr *,
		    const struct config_addr *);
/* Fills a sockaddr_in or sockaddr_in6; returns its length. */
socklen_t	 config_addr_sockaddr(const struct config_addr *, uint16_t port,
		    struct sockaddr_storage *);
/* ADDR/LEN; on failure -1 with a message ("host bits set, ...") in err. */
int		 config_prefix_pton(const char *, struct bgp_prefix *,
		    char *err, size_t errlen);
const char	*config_prefix_ntop(const struct bgp_prefix *, char *, size_t);
/* "A:B" or a well-known name (no-export, ...), RFC 1997. */
int		 config_community_parse(const char *, uint32_t *);
const char	*config_community_str(uint32_t, char *, size_t);
/* "GLOBAL:LOCAL1:LOCAL2", RFC 8092. */
int		 config_large_community_parse(const char *,
		    struct large_community *);
/* DNS type by name, any case: "aaaa" gives 28. */
int		 config_dns_type_parse(const char *, uint16_t *);
/* N with a unit ms, s, m or h; no unit means seconds. */
int		 config_duration_parse(const char *, uint64_t *ms);
/* The largest unit that is exact: "90s", "1500ms", "2m". */
const char	*config_duration_str(uint64_t ms, char *, size_t);

/* ------------------------------------------------------------------ */
/* Between parse.y and config.c                                         */

struct config	*config_new(const char *file);
struct config_neighbor *config_neighbor_new(struct config *);
struct check_conf	*config_check_new(struct config *, const char *name);
struct prefix_conf	*config_prefix_new(struct config *);

/* Records "FILE:L:C: msg"; returns false once the error cap is reached. */
bool	 config_error(struct config_errors *, const char *file,
	    struct config_pos, bool warning, const char *fmt, ...)
	    __printflike(5, 6);
/* The closest of n candidates within a small edit distance, or NULL. */
const char	*config_suggest(const char *word, const char *const *cand,
		    size_t n);
/* Checks across blocks: duplicates, names in requires, families. */
void	 config_validate(struct config *, struct config_errors *);
/* The grammar: fills conf from text; errors go to errs. */
void	 parse_config_text(struct config *, const char *text, size_t len,
	    struct config_errors *errs);

#endif /* ANYCASTD_CONFIG_H */
