/*
 * resolve_git.h - which git checkout a source file belongs to: the work tree, its remote,
 * the commit checked out and whether the work tree differs from it.  Read with libgit2;
 * nothing is written to any repository (no index refresh, no config change).
 *
 * Paths given to resolve_git_lookup() are absolute real paths (symlinks resolved, as in
 * file_versions.path).  A file inside a submodule resolves to the submodule's own
 * repository, which says which superproject it belongs to.
 *
 * The answers describe the work tree when it is resolved, not when the build ran: resolve
 * soon after the build (a commit or edit in between changes commit and dirty).
 *
 * resolve_git_new() turns off libgit2's repository owner check (safe.directory) for the
 * whole process, so that checkouts owned by another user (a root-run record of a user's
 * tree) still resolve.  This is safe because the resolver only reads: it runs no hooks,
 * filters or fsmonitor commands.
 *
 * Not thread-safe: lookups fill caches.  One resolver per thread, or a lock around it.
 */
#ifndef ASBUILT_RESOLVE_GIT_H
#define ASBUILT_RESOLVE_GIT_H

/*
 * A git work tree.  Every string is owned by the resolver and lives until
 * resolve_git_free().
 *
 * - workdir: absolute real path of the work tree, without a trailing '/' ("/" stays "/").
 * - remote_url: the URL of remote "origin", else of the first remote in name order, else
 *   NULL; as configured (url.<base>.insteadOf rewrites are not applied).  User info is
 *   removed from http(s):// and ftp(s):// URLs, because it often holds a token
 *   (https://user:TOKEN@host/x -> https://host/x); ssh user names (git@host:x) stay.
 * - commit: hex id of the commit HEAD points at; NULL on an unborn branch (no commit yet)
 *   or when HEAD cannot be read.
 * - branch: short name of the checked-out branch ("main"), also for an unborn branch; NULL
 *   when HEAD is detached (as in a submodule checkout).
 * - dirty: 1 when tracked files differ from HEAD: files modified, deleted or type-changed
 *   in the work tree, changes staged in the index, unmerged files, or a checked-out
 *   submodule whose commit differs from the one recorded (changes inside a submodule make
 *   the submodule dirty, not the superproject).  Untracked and ignored files do not count.
 *   0 when clean, -1 when the status could not be read.
 * - is_submodule: 1 when the work tree is a submodule of the work tree that contains it
 *   (listed by the superproject, looked up by path); then superproject is that work tree's
 *   workdir.  A repository merely nested in another work tree (a clone inside a checkout)
 *   has is_submodule 0 and superproject NULL.
 * - purl: for remotes on github.com, gitlab.com and bitbucket.org,
 *   pkg:github/OWNER/REPO@COMMIT (pkg:bitbucket likewise; both lowercased as the purl types
 *   say), pkg:gitlab/GROUP/.../REPO@COMMIT (case kept).  For any other remote,
 *   pkg:generic/NAME@COMMIT?vcs_url=git%2B<URL>%40<COMMIT>, NAME being the URL's last path
 *   segment without ".git".  Without a remote, pkg:generic/<workdir basename>@COMMIT.
 *   "@COMMIT" (and "%40<COMMIT>") are left out when commit is NULL.  Every component is
 *   percent-encoded as in resolve_dpkg.h: A-Z a-z 0-9 . - _ ~ and ':' stay, all else %XX.
 *   A purl names the commit: check dirty before claiming the files are that commit's.
 * - download_location: SPDX PackageDownloadLocation, "git+<URL>@<COMMIT>" ("git+<URL>"
 *   when commit is NULL), NULL without a remote.  A remote that is a local absolute path
 *   is written as a file:// URL here and in vcs_url.
 */
struct git_checkout {
	const char *workdir;
	const char *remote_url;
	const char *commit;
	const char *branch;
	int dirty;
	int is_submodule;
	const char *superproject;
	const char *purl;
	const char *download_location;
};

struct resolve_git;

/* Initialises libgit2 and stores a new, empty resolver in *out (free it with
 * resolve_git_free()).  Returns 0 or a negative errno. */
int resolve_git_new(struct resolve_git **out);

/*
 * The innermost git work tree containing the file at abspath (an absolute real path; the
 * file need not exist any more), or NULL when there is none (errno 0), when abspath is not
 * absolute (errno EINVAL), or on failure (errno ENOMEM, or EIO when a repository was found
 * but cannot be opened).  Files inside a repository's git directory (.git/...) and inside
 * bare repositories belong to no work tree.  The pointer is owned by g.
 *
 * The answer depends only on the file's directory; it is cached for that directory and
 * for every directory between it and the work tree root, so after the first file of a
 * directory a lookup is one hash probe.
 */
const struct git_checkout *resolve_git_lookup(struct resolve_git *g, const char *abspath);

/*
 * Whether c's index lists the file at abspath (an absolute real path): 1 when it does
 * (at any merge stage), 0 when it does not (untracked, ignored, outside c's work tree, or
 * inside one of c's submodules, whose files c does not track itself).  Returns a negative
 * errno when the index cannot be read.  c must come from resolve_git_lookup() on g.  The
 * index is read once per work tree.
 */
int resolve_git_is_tracked(struct resolve_git *g, const struct git_checkout *c,
			   const char *abspath);

/* Frees g, every checkout and string it returned, and its libgit2 handles.  Accepts NULL. */
void resolve_git_free(struct resolve_git *g);

#endif /* ASBUILT_RESOLVE_GIT_H */
