/*
 * The privilege drop.  anycastd needs root (or CAP_NET_BIND_SERVICE) only
 * to bind port 179; everything after that, above all the exec health
 * checks it forks, runs as an ordinary user.  This module owns the switch
 * and its verification and nothing else: it opens no sockets and reads
 * no configuration.
 *
 * Each step is checked, and then the result is checked again from the
 * outside (setuid(0) must fail, the capability sets must be empty), since
 * a half-done drop that carries on is worse than not starting.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "log.h"
#include "privsep.h"

/* Every capability set of this process; -1 (errno) when they cannot be read. */
static int
caps_get(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	memset(data, 0, sizeof(*data) * _LINUX_CAPABILITY_U32S_3);
	return syscall(SYS_capget, &hdr, data) == -1 ? -1 : 0;
}

static bool
caps_empty(const struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	int	i;

	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    data[i].inheritable != 0)
			return false;
	return true;
}

/*
 * Empties the effective, permitted, inheritable and ambient sets, so
 * nothing we exec can gain a capability from us.  Lowering never needs
 * a privilege.
 */
static int
caps_clear(char *err, size_t errlen)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct	data[_LINUX_CAPABILITY_U32S_3];

	/* EINVAL: a kernel before 4.3 has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s",
		    strerror(errno));
		return -1;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) == -1) {
		snprintf(err, errlen, "cannot drop capabilities: %s",
		    strerror(errno));
		return -1;
	}
	if (caps_get(data) == -1) {
		snprintf(err, errlen, "cannot read capabilities: %s",
		    strerror(errno));
		return -1;
	}
	if (!caps_empty(data)) {
		snprintf(err, errlen, "capabilities remain after dropping "
		    "them");
		return -1;
	}
	return 0;
}

/*
 * Looks up the user to become into *pwp, NULL when there is nothing to
 * switch (no user, or not root and already that user); -1 with the
 * reason in err when the switch cannot or must not happen.
 */
static int
lookup(const char *user, struct passwd **pwp, char *err, size_t errlen)
{
	struct passwd	*pw;

	*pwp = NULL;
	if (user == NULL)
		return 0;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		/* getpwnam(3): these errnos, too, mean "not found". */
		snprintf(err, errlen, "user %s: %s", user, errno == 0 ||
		    errno == ENOENT || errno == ESRCH || errno == EBADF ||
		    errno == EPERM ? "no such user" : strerror(errno));
		return -1;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid != getuid() || pw->pw_uid != geteuid()) {
			snprintf(err, errlen, "cannot switch to user %s: "
			    "not root", user);
			return -1;
		}
		return 0;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "user %s is root: name an unprivileged "
		    "user", user);
		return -1;
	}
	*pwp = pw;
	return 0;
}

int
privsep_check(const char *user, char *err, size_t errlen)
{
	struct passwd	*pw;

	return lookup(user, &pw, err, errlen);
}

int
privsep_drop(const char *user, char *err, size_t errlen)
{
	struct passwd	*pw;
	uid_t		 uid, ruid, euid, suid;
	gid_t		 gid, rgid, egid, sgid;

	if (lookup(user, &pw, err, errlen) == -1)
		return -1;
	if (geteuid() != 0) {
		/* The usual case under systemd's User=: nothing to switch,
		 * only the capability that bound port 179 to give up. */
		if (user != NULL)
			log_info("already running as user %s", user);
		return caps_clear(err, errlen);
	}
	if (pw == NULL) {
		log_warnx("running as root: exec health checks run as root "
		    "too; set `user` in the configuration or use -u");
		return 0;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	/* Groups first: after setresuid we could no longer change them. */
	if (initgroups(pw->pw_name, gid) == -1) {
		snprintf(err, errlen, "cannot set the groups of user %s: %s",
		    user, strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		snprintf(err, errlen, "cannot switch to group %u: %s",
		    (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) == -1) {
		snprintf(err, errlen, "cannot switch to user %s: %s", user,
		    strerror(errno));
		return -1;
	}

	/* Verify from the outside what the calls above claim. */
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid) {
		snprintf(err, errlen, "switching to user %s left other ids "
		    "behind", user);
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 ||
	    (gid != 0 && (setgid(0) != -1 || setegid(0) != -1))) {
		snprintf(err, errlen, "user %s could become root again", user);
		return -1;
	}
	/* All ids non-zero cleared permitted and effective; the
	 * inheritable and ambient sets need clearing by hand. */
	if (caps_clear(err, errlen) == -1)
		return -1;
	log_info("running as user %s (uid %u, gid %u)", user, (unsigned)uid,
	    (unsigned)gid);
	return 0;
}
