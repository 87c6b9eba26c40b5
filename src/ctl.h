/*
 * What anycastctl and the control socket agree on: the protocol version,
 * the limits of a request line, and the one command table both sides
 * check a request against, so that every line the CLI sends is one the
 * daemon understands and a typo is caught before anything connects.
 * ctl_cmd.c holds the table, the parser and the pure helpers for tables
 * and durations; it has no libevent and no jansson code, so the daemon,
 * the CLI and the tests all link it. ctl_show.c (anycastctl only) turns
 * replies into text.
 */
#ifndef ANYCASTD_CTL_H
#define ANYCASTD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bgp.h"
#include "config.h"

#define CTL_PROTOCOL	1	/* sent in the greeting; bump on any change */
#define CTL_LINE_MAX	1024	/* a request line, without its newline */
#define CTL_WORDS_MAX	8	/* the longest command has fewer words */
#define CTL_SYNTAX_MAX	4	/* words in a command's syntax */

/* install paths reach the code as -D defines (STYLE 12) */
#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#define CTL_DEFAULT_SOCKET	RUNSTATEDIR "/anycastd/anycastd.sock"

/* Placeholders in a command's syntax; every other word is literal. */
#define CTL_ARG_ADDR	"ADDR"		/* an IPv4 or IPv6 address */
#define CTL_ARG_TARGET	"PREFIX|all"	/* a prefix, or every prefix */

enum ctl_action {
	CTL_SHOW_NEIGHBORS,
	CTL_SHOW_NEIGHBOR,
	CTL_SHOW_PREFIXES,
	CTL_SHOW_CHECKS,
	CTL_SHOW_RIB,
	CTL_DRAIN,
	CTL_UNDRAIN,
	CTL_NEIGHBOR_DOWN,
	CTL_NEIGHBOR_UP,
	CTL_NEIGHBOR_RESET,
	CTL_NEIGHBOR_REFRESH,
	CTL_RELOAD,
	CTL_MONITOR,
	CTL_ACTION_MAX
};

/* One line of the command table. */
struct ctl_cmd {
	const char	*words[CTL_SYNTAX_MAX];	/* NULL-padded */
	enum ctl_action	 action;
	bool		 mutating;	/* logged with the client's uid/pid */
	const char	*help;
};

extern const struct ctl_cmd	ctl_cmds[];
extern const size_t		ctl_ncmds;

/* A request checked against the table, with its arguments decoded. */
struct ctl_request {
	const struct ctl_cmd	*cmd;
	bool			 has_addr;
	struct config_addr	 addr;
	bool			 has_prefix;
	struct bgp_prefix	 prefix;
	bool			 all;		/* drain all, undrain all */
};

/*
 * Splits line in place at blanks into at most max words; returns the
 * count, or -1 when there are more than max.
 */
int	 ctl_split(char *line, char *words[], size_t max);
/*
 * Matches words against the table. Returns 0 with req filled, or -1 with
 * a one-line reason in err ("unknown command \"bogus\"").
 */
int	 ctl_parse(int argc, char *const argv[], struct ctl_request *req,
	    char *err, size_t errlen);
/* The words joined by single blanks; -1 if longer than CTL_LINE_MAX. */
int	 ctl_join(int argc, char *const argv[], char *buf, size_t len);
/* Writes "show neighbor ADDR" for a table entry. */
const char	*ctl_cmd_syntax(const struct ctl_cmd *, char *buf, size_t len);
/* One line per command with its help, for usage messages. */
void	 ctl_print_commands(FILE *);

/*
 * An elapsed time as bgpctl shows it: 00:12:05 under a day, 1d02h03m
 * under a week, then 2w3d04h. Negative and non-finite values show as
 * 00:00:00.
 */
const char	*ctl_fmt_duration(double secs, char *buf, size_t len);

/*
 * Aligned text tables. Rows are kept until ctl_table_flush() prints them
 * with each column as wide as its widest cell; after a flush, widths only
 * grow, so a table printed in batches (show rib) stays bounded in memory.
 * Cells are copied, and control characters in them become '?', since
 * they may come from a peer (shutdown communications, hostnames).
 */
struct ctl_column {
	const char	*name;
	bool		 right;		/* right-aligned, for numbers */
};

struct ctl_table {
	FILE			*out;
	const struct ctl_column	*cols;
	size_t			 ncols;
	size_t			*width;		/* in characters */
	char			**cells;	/* nrows * ncols */
	size_t			 nrows;
	size_t			 cap;		/* rows */
	bool			 header_done;
};

#define CTL_TABLE_BATCH	4096	/* rows held before an automatic flush */

void	 ctl_table_init(struct ctl_table *, FILE *,
	    const struct ctl_column *, size_t ncols);
/* Adds a row of ncols cells; NULL cells print as empty. */
void	 ctl_table_add(struct ctl_table *, const char *const cells[]);
void	 ctl_table_flush(struct ctl_table *);
/* Flushes (printing at least the header) and frees. */
void	 ctl_table_end(struct ctl_table *);
/*
 * A copy of s safe to print: C0 and C1 control characters and DEL become
 * '?', so text from a peer cannot move the cursor or retitle a terminal.
 */
char	*ctl_text_dup(const char *);
/* Characters a UTF-8 string takes on a terminal, one per code point. */
size_t	 ctl_text_width(const char *);

/* ------------------------------------------------------------------ */
/* ctl_show.c: replies as text (anycastctl only; needs jansson)          */

struct ctl_show;

/* How a reply is printed: tables on out, errors on err. */
struct ctl_show	*ctl_show_new(const struct ctl_request *, FILE *out,
		    FILE *err);
/*
 * Feeds reply bytes as they arrive; *used says how many were taken.
 * Returns 1 once the reply line is complete (bytes after it are left
 * unused), 0 when it needs more, -1 on a malformed reply (message in
 * errbuf).
 */
int	 ctl_show_feed(struct ctl_show *, const char *data, size_t len,
	    size_t *used, char *errbuf, size_t errlen);
/* Prints what is pending; returns the exit status: 0, or 1 if the daemon
 * refused the command. */
int	 ctl_show_end(struct ctl_show *);
void	 ctl_show_free(struct ctl_show *);

#endif /* ANYCASTD_CTL_H */
