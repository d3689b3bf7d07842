#!/usr/bin/env bash
# Commit a release file onto the tip of a branch and push it:  mk/commit-release.sh VERSION [BRANCH]
# (make commit-release). Prints "release commit: <sha>", the commit that holds the file.
#
# The commit is built with git plumbing on the branch's fetched tip, in a private index: the work tree,
# its index and HEAD stay as they are (the release workflow's checkout is the tagged commit, which the
# branch may have moved past; a person running it keeps their checkout). A push that lost a race is
# retried on the new tip. A file already on the branch is never rewritten: identical, nothing to do
# (rerunning a release workflow passes); different, refused.
set -euo pipefail

version=${1:?usage: mk/commit-release.sh VERSION [BRANCH]}
branch=${2:-main}
file=releases/${version}.yml
remote=${RELEASE_REMOTE:-origin}

[[ -f $file ]] || { echo "commit-release: $file does not exist: make release VERSION=$version first" >&2; exit 2; }

index=$(mktemp)
trap 'rm -f "$index"' EXIT
blob=$(git hash-object -w "$file")

# A shallow checkout (CI's) fetches just the tip; a full clone is not made shallow.
depth=()
[[ $(git rev-parse --is-shallow-repository) == true ]] && depth=(--depth=1)

for attempt in 1 2 3; do
  git fetch --quiet "${depth[@]}" "$remote" "refs/heads/$branch"
  base=$(git rev-parse FETCH_HEAD)
  if on_branch=$(git rev-parse --quiet --verify "$base:$file"); then
    if [[ $on_branch == "$blob" ]]; then
      echo "$file is already on $branch"
      echo "release commit: $base"
      exit 0
    fi
    echo "commit-release: $file on $branch ($base) differs from the one just written: a released version is" \
      "never rewritten; release a new version" >&2
    exit 1
  fi
  GIT_INDEX_FILE=$index git read-tree "$base"
  GIT_INDEX_FILE=$index git update-index --add --cacheinfo "100644,$blob,$file"
  tree=$(GIT_INDEX_FILE=$index git write-tree)
  commit=$(git -c user.name="${GIT_AUTHOR_NAME:-teamf release}" -c user.email="${GIT_AUTHOR_EMAIL:-release@teamf.invalid}" \
    commit-tree "$tree" -p "$base" -m "release $version" -m "Written by make release (playbooks/release.yml).")
  if git push --quiet "$remote" "$commit:refs/heads/$branch"; then
    echo "release commit: $commit"
    exit 0
  fi
  echo "commit-release: push to $branch refused (attempt $attempt of 3): retrying on its new tip" >&2
done
echo "commit-release: could not push $file to $branch" >&2
exit 1
