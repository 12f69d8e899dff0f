
use builtin;
use str;

set edit:completion:arg-completer[kelemetry-cli] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kelemetry-cli'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kelemetry-cli'= {
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ingest 'Read audit logs, Event dumps and object dumps into the store'
            cand stats 'Summarise the store: time span, clusters, files, requests by verb, resource, user and code, the top writers, 409s, and objects by kind'
            cand objects 'List objects, newest activity first: kind, namespace, name, uid, controller owner, first and last seen, created and deleted, and how many requests and Events mention it'
            cand history 'The resourceVersion chain of an object: every write with its writer and changed fields'
            cand conflicts 'Group 409 Conflicts by the resourceVersion the writers raced on'
            cand trace 'What happened to an object and everything it owns, in order: one span per object, its owned objects below it, apiserver requests and Events as child spans or logs'
            cand completions 'Print a shell completion script (the repository ships them under completions/)'
            cand man 'Print the man page (roff); the repository ships it as man/kelemetry-cli.1'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kelemetry-cli;ingest'= {
            cand --cluster 'The cluster these files come from (default: `default`). A Kelemetry dump line''s own `cluster` wins over it; it wins over a GKE entry''s cluster label'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand --strict 'Fail on the first bad record and keep nothing from this run'
            cand --no-headers 'Tables without their header line'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;stats'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand -i 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --input 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand --no-headers 'Tables without their header line'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;objects'= {
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand -l 'Only objects whose labels, in their latest known state, match (app=web,tier!=db,env in (a,b),!canary)'
            cand --selector 'Only objects whose labels, in their latest known state, match (app=web,tier!=db,env in (a,b),!canary)'
            cand --name 'Only names matching this glob (`web-*`, `web-[0-9]*`)'
            cand --limit 'At most this many (0: all)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -i 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --input 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand -A 'Every namespace (the default; accepted as kubectl takes it)'
            cand --all-namespaces 'Every namespace (the default; accepted as kubectl takes it)'
            cand --deleted 'Only objects that were deleted'
            cand --no-headers 'Tables without their header line'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;history'= {
            cand -n 'Namespace of the object'
            cand --namespace 'Namespace of the object'
            cand --cluster 'Cluster of the object, where the store holds several'
            cand --uid 'The object''s uid, instead of or besides KIND/NAME'
            cand --field 'Keep only writes that changed this path or below it (repeatable), e.g. spec.minReadySeconds'
            cand --since 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store'
            cand --until 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -i 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --input 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand -v 'Show bookkeeping changes too (resourceVersion, generation, timestamps)'
            cand --verbose 'Show bookkeeping changes too (resourceVersion, generation, timestamps)'
            cand --no-headers 'Tables without their header line'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;conflicts'= {
            cand -n 'Only objects in this namespace'
            cand --namespace 'Only objects in this namespace'
            cand --kind 'Only objects of this kind (deploy, pods, widgets.example.com, ...)'
            cand --user 'Only 409s of this user or component (substring: deployment-controller, kubelet@, alice)'
            cand --limit 'Detail at most this many groups, oldest first (0: all); the summary counts them all'
            cand --since 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store'
            cand --until 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -i 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --input 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand --no-headers 'Tables without their header line'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;trace'= {
            cand -n 'Namespace of the object'
            cand --namespace 'Namespace of the object'
            cand --cluster 'Cluster of the object, where the store holds several'
            cand --uid 'The object''s uid, instead of or besides KIND/NAME'
            cand --pipeline 'How spans are arranged: tree, timeline, tracing or grouping (see the README)'
            cand --scope 'Which relatives are followed'
            cand --depth 'Follow at most N ownership links up from the object and N below it'
            cand --since 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store'
            cand --until 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store'
            cand --exclude-user 'Leave out requests of this user or component (substring; repeatable)'
            cand --only 'Only writes (create/update/patch/delete), or only Events'
            cand --limit 'Show at most N spans and logged entries in the terminal (0: all); a summary says what was cut'
            cand --width 'Columns of the terminal rendering (default: the terminal''s width, else $COLUMNS, else 100)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -i 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --input 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them'
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand --all 'Show what is hidden as noise: reads (get/list/watch), leader election, leases'
            cand --wide 'Show every log line, uncut'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;completions'= {
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;man'= {
            cand --db 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk'
            cand --color 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)'
            cand -q 'No progress bar and no summary: only results and problems'
            cand --quiet 'No progress bar and no summary: only results and problems'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kelemetry-cli;help'= {
            cand ingest 'Read audit logs, Event dumps and object dumps into the store'
            cand stats 'Summarise the store: time span, clusters, files, requests by verb, resource, user and code, the top writers, 409s, and objects by kind'
            cand objects 'List objects, newest activity first: kind, namespace, name, uid, controller owner, first and last seen, created and deleted, and how many requests and Events mention it'
            cand history 'The resourceVersion chain of an object: every write with its writer and changed fields'
            cand conflicts 'Group 409 Conflicts by the resourceVersion the writers raced on'
            cand trace 'What happened to an object and everything it owns, in order: one span per object, its owned objects below it, apiserver requests and Events as child spans or logs'
            cand completions 'Print a shell completion script (the repository ships them under completions/)'
            cand man 'Print the man page (roff); the repository ships it as man/kelemetry-cli.1'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kelemetry-cli;help;ingest'= {
        }
        &'kelemetry-cli;help;stats'= {
        }
        &'kelemetry-cli;help;objects'= {
        }
        &'kelemetry-cli;help;history'= {
        }
        &'kelemetry-cli;help;conflicts'= {
        }
        &'kelemetry-cli;help;trace'= {
        }
        &'kelemetry-cli;help;completions'= {
        }
        &'kelemetry-cli;help;man'= {
        }
        &'kelemetry-cli;help;help'= {
        }
    ]
    $completions[$command]
}
