/* Unit tests of resolve/git.c: real repositories made with the git CLI under /tmp. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/resolve_git.h"

static char top[256];  /* real path of /tmp/asbuilt-git-XXXXXX */
static char proj[300]; /* top/proj: remote on github, submodule "sub" */
static struct resolve_git *g;

/* Runs a shell command made from fmt; the test fails when it fails. */
static void sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* The first line a shell command prints, in a static buffer. */
static const char *out(const char *fmt, ...)
{
	static char line[PATH_MAX];
	char cmd[4 * PATH_MAX];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_not_null(p = popen(cmd, "r"), "%s", cmd);
	line[0] = 0;
	if (fgets(line, sizeof(line), p))
		line[strcspn(line, "\n")] = 0;
	cr_assert_eq(pclose(p), 0, "command failed: %s", cmd);
	return line;
}

static const char *head_of(const char *dir)
{
	return out("git -C '%s' rev-parse HEAD", dir);
}

/* A new repository top/name with one commit of file f.c, and remote url (none: NULL). */
static void make_repo(const char *name, const char *remote, const char *url)
{
	sh("cd '%s' && git init -q -b main %s && cd %s && echo 'int f;' > f.c && "
	   "git add f.c && git commit -q -m one",
	   top, name, name);
	if (remote)
		sh("git -C '%s/%s' remote add %s '%s'", top, name, remote, url);
}

static void setup(void)
{
	char tmpl[] = "/tmp/asbuilt-git-XXXXXX", real[PATH_MAX];

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, real));
	cr_assert_lt(strlen(real), sizeof(top));
	strcpy(top, real);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "T", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "T", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.org", 1);

	make_repo("subsrc", NULL, NULL);
	snprintf(proj, sizeof(proj), "%s/proj", top);
	sh("cd '%s' && git init -q -b main proj && cd proj && "
	   "git remote add origin https://github.com/example/proj.git && "
	   "mkdir -p src/a/b && echo 'int main(void){return 0;}' > main.c && "
	   "echo 'int x;' > src/a/b/x.c && printf '*.o\\n' > .gitignore && "
	   "git add . && git commit -q -m one && "
	   "git -c protocol.file.allow=always submodule add -q '%s/subsrc' sub && "
	   "git commit -q -m sub && echo junk > untracked.c && echo obj > x.o",
	   top, top);
	cr_assert_eq(resolve_git_new(&g), 0);
}

static void teardown(void)
{
	resolve_git_free(g);
	g = NULL;
	if (top[0])
		sh("rm -rf '%s'", top);
}

TestSuite(resolve_git, .init = setup, .fini = teardown);

static const struct git_checkout *lookup(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	return resolve_git_lookup(g, path);
}

Test(resolve_git, file_resolves_to_work_tree_commit_remote_branch)
{
	const struct git_checkout *c = lookup("proj/main.c");

	cr_assert_not_null(c);
	cr_assert_str_eq(c->workdir, proj);
	cr_assert_str_eq(c->commit, head_of(proj));
	cr_assert_str_eq(c->remote_url, "https://github.com/example/proj.git");
	cr_assert_str_eq(c->branch, "main");
	cr_assert_eq(c->dirty, 0);
	cr_assert_eq(c->is_submodule, 0);
	cr_assert_null(c->superproject);
}

Test(resolve_git, github_remote_gives_github_purl_and_download_location)
{
	const struct git_checkout *c = lookup("proj/main.c");
	char want[256];

	cr_assert_not_null(c);
	snprintf(want, sizeof(want), "pkg:github/example/proj@%s", head_of(proj));
	cr_assert_str_eq(c->purl, want);
	snprintf(want, sizeof(want), "git+https://github.com/example/proj.git@%s", head_of(proj));
	cr_assert_str_eq(c->download_location, want);
}

Test(resolve_git, lookups_in_one_tree_share_one_cached_checkout)
{
	const struct git_checkout *a = lookup("proj/src/a/b/x.c");

	cr_assert_not_null(a);
	cr_assert_eq(lookup("proj/main.c"), a);
	cr_assert_eq(lookup("proj/src/a/other.h"), a);
	cr_assert_eq(lookup("proj/src/x.c"), a);
	/* a file that no longer exists, in a directory that no longer exists */
	cr_assert_eq(lookup("proj/gone/deeper/tmp.o"), a);
}

Test(resolve_git, modified_tracked_file_makes_tree_dirty)
{
	sh("echo '/* edit */' >> '%s/main.c'", proj);
	const struct git_checkout *c = lookup("proj/main.c");
	cr_assert_not_null(c);
	cr_assert_eq(c->dirty, 1);
}

Test(resolve_git, deleted_tracked_file_makes_tree_dirty)
{
	sh("rm '%s/src/a/b/x.c'", proj);
	const struct git_checkout *c = lookup("proj/main.c");
	cr_assert_not_null(c);
	cr_assert_eq(c->dirty, 1);
}

Test(resolve_git, staged_change_makes_tree_dirty)
{
	sh("cd '%s' && echo 'int y;' > y.c && git add y.c", proj);
	const struct git_checkout *c = lookup("proj/main.c");
	cr_assert_not_null(c);
	cr_assert_eq(c->dirty, 1);
}

Test(resolve_git, untracked_and_ignored_files_keep_tree_clean)
{
	/* setup left untracked.c and an ignored x.o in proj */
	sh("mkdir '%s/newdir' && echo z > '%s/newdir/z.c'", proj, proj);
	const struct git_checkout *c = lookup("proj/main.c");
	cr_assert_not_null(c);
	cr_assert_eq(c->dirty, 0);
}

Test(resolve_git, touched_but_unchanged_file_keeps_tree_clean)
{
	sh("touch -d '2001-01-01' '%s/main.c' && touch '%s/src/a/b/x.c'", proj, proj);
	const struct git_checkout *c = lookup("proj/main.c");
	cr_assert_not_null(c);
	cr_assert_eq(c->dirty, 0);
}

Test(resolve_git, submodule_file_resolves_to_submodule_repository)
{
	char sub[400], url[400], want[1024];
	const struct git_checkout *c = lookup("proj/sub/f.c");

	snprintf(sub, sizeof(sub), "%s/sub", proj);
	snprintf(url, sizeof(url), "%s/subsrc", top);
	cr_assert_not_null(c);
	cr_assert_str_eq(c->workdir, sub);
	cr_assert_str_eq(c->commit, head_of(sub));
	cr_assert_eq(c->is_submodule, 1);
	cr_assert_str_eq(c->superproject, proj);
	cr_assert_eq(c->dirty, 0);
	cr_assert_str_eq(c->remote_url, url);
	snprintf(want, sizeof(want), "git+file://%s@%s", url, c->commit);
	cr_assert_str_eq(c->download_location, want);
	/* url is /tmp/asbuilt-git-XXXXXX/subsrc: only '/' needs encoding */
	char *w = want + snprintf(want, sizeof(want), "pkg:generic/subsrc@%s?vcs_url=git%%2Bfile:",
				  c->commit);
	for (const char *u = "///"; *u; u++)
		w += sprintf(w, "%%2F");
	for (const char *u = url + 1; *u; u++)
		w += *u == '/' ? sprintf(w, "%%2F") : sprintf(w, "%c", *u);
	sprintf(w, "%%40%s", c->commit);
	cr_assert_str_eq(c->purl, want);
	/* the superproject is resolved too, and is a different checkout */
	const struct git_checkout *s = lookup("proj/main.c");
	cr_assert_neq(s, c);
	cr_assert_eq(s->is_submodule, 0);
}

Test(resolve_git, submodule_at_new_commit_makes_superproject_dirty)
{
	sh("cd '%s/sub' && echo 'int g;' > g.c && git add g.c && git commit -q -m two", proj);
	const struct git_checkout *sub = lookup("proj/sub/g.c");
	const struct git_checkout *super = lookup("proj/main.c");
	cr_assert_not_null(sub);
	cr_assert_not_null(super);
	cr_assert_eq(sub->dirty, 0);
	cr_assert_eq(super->dirty, 1);
}

Test(resolve_git, edit_inside_submodule_dirties_only_the_submodule)
{
	sh("echo '/* edit */' >> '%s/sub/f.c'", proj);
	cr_assert_eq(lookup("proj/sub/f.c")->dirty, 1);
	cr_assert_eq(lookup("proj/main.c")->dirty, 0);
}

Test(resolve_git, file_outside_any_repository_is_null)
{
	sh("mkdir '%s/plain' && echo x > '%s/plain/x.c'", top, top);
	errno = 42;
	cr_assert_null(lookup("plain/x.c"));
	cr_assert_eq(errno, 0);
	cr_assert_null(lookup("plain/x.c"));
	cr_assert_eq(errno, 0);
	cr_assert_null(lookup("nowhere/at/all.c"));
}

Test(resolve_git, files_in_git_directory_and_relative_paths_are_null)
{
	cr_assert_null(lookup("proj/.git/config"));
	cr_assert_null(lookup("proj/.git/modules/sub/HEAD"));
	cr_assert_null(resolve_git_lookup(g, "proj/main.c"));
	cr_assert_eq(errno, EINVAL);
}

/* resolve_git_is_tracked() of proj/rel in c. */
static int tracked(const struct git_checkout *c, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", proj, rel);
	return resolve_git_is_tracked(g, c, p);
}

Test(resolve_git, is_tracked_tells_tracked_from_untracked_and_ignored)
{
	const struct git_checkout *c = lookup("proj/main.c");
	const struct git_checkout *s = lookup("proj/sub/f.c");

	cr_assert_not_null(c);
	cr_assert_not_null(s);
	cr_assert_eq(tracked(c, "main.c"), 1);
	cr_assert_eq(tracked(c, "src/a/b/x.c"), 1);
	cr_assert_eq(tracked(c, "untracked.c"), 0);
	cr_assert_eq(tracked(c, "x.o"), 0);
	cr_assert_eq(tracked(c, "sub/f.c"), 0); /* the submodule tracks it, not proj */
	cr_assert_eq(tracked(s, "sub/f.c"), 1);
	cr_assert_eq(tracked(s, "main.c"), 0); /* outside the submodule */
}

Test(resolve_git, unborn_branch_has_no_commit)
{
	sh("cd '%s' && git init -q -b trunk fresh && echo a > fresh/a.c", top);
	const struct git_checkout *c = lookup("fresh/a.c");
	cr_assert_not_null(c);
	cr_assert_null(c->commit);
	cr_assert_str_eq(c->branch, "trunk");
	cr_assert_null(c->remote_url);
	cr_assert_null(c->download_location);
	cr_assert_str_eq(c->purl, "pkg:generic/fresh");
}

Test(resolve_git, detached_head_has_no_branch)
{
	sh("git -C '%s/sub' checkout -q --detach", proj);
	const struct git_checkout *c = lookup("proj/sub/f.c");
	cr_assert_not_null(c);
	cr_assert_null(c->branch);
	cr_assert_not_null(c->commit);
}

Test(resolve_git, first_remote_is_used_and_credentials_are_dropped)
{
	char want[256];

	make_repo("lab", "upstream", "https://user:s3cret@gitlab.com/Grp/sub/proj.git");
	sh("git -C '%s/lab' remote add zz https://github.com/other/x.git", top);
	const struct git_checkout *c = lookup("lab/f.c");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->remote_url, "https://gitlab.com/Grp/sub/proj.git");
	snprintf(want, sizeof(want), "pkg:gitlab/Grp/sub/proj@%s", c->commit);
	cr_assert_str_eq(c->purl, want);
	cr_assert_null(strstr(c->download_location, "s3cret"));
}

Test(resolve_git, scp_style_remotes_are_recognised)
{
	char want[256];

	make_repo("gh", "origin", "git@github.com:Example/Proj.git");
	make_repo("bb", "origin", "ssh://git@bitbucket.org/team/tool");
	const struct git_checkout *c = lookup("gh/f.c");
	cr_assert_not_null(c);
	snprintf(want, sizeof(want), "pkg:github/example/proj@%s", c->commit);
	cr_assert_str_eq(c->purl, want);
	snprintf(want, sizeof(want), "git+git@github.com:Example/Proj.git@%s", c->commit);
	cr_assert_str_eq(c->download_location, want);
	c = lookup("bb/f.c");
	cr_assert_not_null(c);
	snprintf(want, sizeof(want), "pkg:bitbucket/team/tool@%s", c->commit);
	cr_assert_str_eq(c->purl, want);
}

Test(resolve_git, other_hosts_give_generic_purl_with_vcs_url)
{
	char want[512];

	make_repo("gen", "origin", "https://git.example.org/libs/yarn.git");
	const struct git_checkout *c = lookup("gen/f.c");
	cr_assert_not_null(c);
	snprintf(want, sizeof(want),
		 "pkg:generic/yarn@%s?vcs_url=git%%2Bhttps:%%2F%%2Fgit.example.org%%2Flibs"
		 "%%2Fyarn.git%%40%s",
		 c->commit, c->commit);
	cr_assert_str_eq(c->purl, want);
	snprintf(want, sizeof(want), "git+https://git.example.org/libs/yarn.git@%s", c->commit);
	cr_assert_str_eq(c->download_location, want);
}

Test(resolve_git, free_accepts_null)
{
	resolve_git_free(NULL);
}
