/*
 * pam-jwt askpass: what SSH_ASKPASS or SUDO_ASKPASS points at
 * (DESIGN.md "Prompting, completeness and long tokens").  The client
 * calls it once per prompt with the prompt as its last argument; it
 * finds "part N" in the prompt (none: part 1) and prints that part of
 * the token, at most CLI_PART_LEN characters, or an empty line past the
 * end.  Exit 0, or 1 with a message when the token cannot be read.
 *
 * The token comes from --file FILE, --env VAR, or, with neither, the
 * file named by the environment variable PAM_JWT_TOKEN_FILE (a client
 * starts the program with the prompt only, so the default must need no
 * option).  A token file must be a regular file owned by the caller that
 * no one else may read or write, as ssh demands of private keys.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "readtoken.h"
#include "reason.h"
#include "strutil.h"

#define ASKPASS_FILE_ENV "PAM_JWT_TOKEN_FILE"

static void
askpass_usage(FILE *out)
{
	fprintf(out,
	    "Usage: pam-jwt askpass [--file FILE | --env VAR] PROMPT\n"
	    "\n"
	    "Prints the part of the token PROMPT asks for (\"part N\" in "
	    "it; none:\n"
	    "part 1), %d characters a part, or an empty line past the end.\n"
	    "Without --file or --env the token is read from the file named "
	    "by\n"
	    "%s.\n", CLI_PART_LEN, ASKPASS_FILE_ENV);
}

/*
 * The part number PROMPT asks for: the last "part " followed by digits.
 * Returns 1 when there is none, 0 when the number is 0 or too large.
 */
static unsigned long
part_number(const char *prompt)
{
	const char *p = prompt;
	const char *found = NULL;
	unsigned long n = 0;

	while ((p = strstr(p, "part ")) != NULL) {
		p += strlen("part ");
		if (*p >= '0' && *p <= '9')
			found = p;
	}
	if (found == NULL)
		return 1;
	for (; *found >= '0' && *found <= '9'; found++) {
		if (n > (ULONG_MAX - 9) / 10)
			return 0;
		n = n * 10 + (unsigned long)(*found - '0');
	}
	return n;
}

/* Read FILE under the rules above into S. */
static int
read_file(const char *path, struct token_buf *s)
{
	struct stat st;
	int fd;
	int err = CLI_EXIT_REFUSED;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_error("cannot open token file %.200s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cli_error("token file %.200s is not a regular file", path);
		goto out;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077) != 0) {
		cli_error("token file %.200s must be yours and not "
		    "accessible by others (chmod 600)", path);
		goto out;
	}
	if (readtoken_fd(fd, CLI_MAX_INPUT, s) != PJ_OK) {
		cli_error("cannot read token file %.200s", path);
		goto out;
	}
	err = 0;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

static int
read_env(const char *name, struct token_buf *s)
{
	const char *value = getenv(name);

	if (value == NULL || value[0] == '\0') {
		cli_error("environment variable %.64s is not set", name);
		return CLI_EXIT_REFUSED;
	}
	if (readtoken_string(value, s) != PJ_OK) {
		cli_error("out of memory");
		return CLI_EXIT_REFUSED;
	}
	return 0;
}

/* Print part N of the LEN characters at TOK and a newline. */
static int
print_part(const char *tok, size_t len, unsigned long n)
{
	size_t skip = 0;
	size_t count = 0;

	if (n - 1 < len / CLI_PART_LEN + 1) {
		skip = (n - 1) * CLI_PART_LEN;
		if (skip < len)
			count = len - skip < CLI_PART_LEN ?
			    len - skip : CLI_PART_LEN;
	}
	if (fwrite(tok + skip, 1, count, stdout) != count ||
	    fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
		cli_error("cannot write the token");
		return CLI_EXIT_REFUSED;
	}
	return CLI_EXIT_OK;
}

struct askpass_opts {
	const char *file;
	const char *env;
	const char *prompt;
};

/* Returns 0, -1 for --help, or CLI_EXIT_USAGE after a message. */
static int
parse_args(int argc, char **argv, struct askpass_opts *o)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "env", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->file = optarg;
			break;
		case 'e':
			o->env = optarg;
			break;
		case 'h':
			return -1;
		default:
			cli_error("askpass: unknown or incomplete option "
			    "\"%.64s\"", argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || (o->file != NULL && o->env != NULL))
		return CLI_EXIT_USAGE;
	o->prompt = argv[optind];
	return 0;
}

/* The token from the source the options (or the environment) name. */
static int
read_token(const struct askpass_opts *o, struct token_buf *s)
{
	const char *file = o->file;

	if (o->env != NULL)
		return read_env(o->env, s);
	if (file == NULL) {
		file = getenv(ASKPASS_FILE_ENV);
		if (file == NULL || file[0] == '\0') {
			cli_error("askpass: no token: give --file or --env, "
			    "or set %s", ASKPASS_FILE_ENV);
			return CLI_EXIT_REFUSED;
		}
	}
	return read_file(file, s);
}

int
cmd_askpass(int argc, char **argv)
{
	struct askpass_opts o;
	struct token_buf s = { NULL, 0, 0 };
	const char *tok;
	size_t len;
	unsigned long n;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		askpass_usage(rc < 0 ? stdout : stderr);
		rc = rc < 0 ? CLI_EXIT_OK : rc;
		goto out;
	}

	rc = CLI_EXIT_REFUSED;
	n = part_number(o.prompt);
	if (n == 0) {
		cli_error("askpass: no such part in the prompt");
		goto out;
	}
	if (read_token(&o, &s) != 0)
		goto out;

	strutil_trim(s.buf, s.len, &tok, &len);
	if (len == 0) {
		cli_error("askpass: the token is empty");
		goto out;
	}
	rc = print_part(tok, len, n);
out:
	readtoken_free(&s);
	return rc;
}
