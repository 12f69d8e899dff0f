
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kelemetry-cli' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kelemetry-cli'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kelemetry-cli' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ingest', 'ingest', [CompletionResultType]::ParameterValue, 'Read audit logs, Event dumps and object dumps into the store')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Summarise the store: time span, clusters, files, requests by verb, resource, user and code, the top writers, 409s, and objects by kind')
            [CompletionResult]::new('objects', 'objects', [CompletionResultType]::ParameterValue, 'List objects, newest activity first: kind, namespace, name, uid, controller owner, first and last seen, created and deleted, and how many requests and Events mention it')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'The resourceVersion chain of an object: every write with its writer and changed fields')
            [CompletionResult]::new('conflicts', 'conflicts', [CompletionResultType]::ParameterValue, 'Group 409 Conflicts by the resourceVersion the writers raced on')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'What happened to an object and everything it owns, in order: one span per object, its owned objects below it, apiserver requests and Events as child spans or logs')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (the repository ships them under completions/)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff); the repository ships it as man/kelemetry-cli.1')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kelemetry-cli;ingest' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster these files come from (default: `default`). A Kelemetry dump line''s own `cluster` wins over it; it wins over a GKE entry''s cluster label')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail on the first bad record and keep nothing from this run')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Tables without their header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;stats' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Tables without their header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;objects' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only objects whose labels, in their latest known state, match (app=web,tier!=db,env in (a,b),!canary)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only objects whose labels, in their latest known state, match (app=web,tier!=db,env in (a,b),!canary)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only names matching this glob (`web-*`, `web-[0-9]*`)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many (0: all)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace (the default; accepted as kubectl takes it)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace (the default; accepted as kubectl takes it)')
            [CompletionResult]::new('--deleted', '--deleted', [CompletionResultType]::ParameterName, 'Only objects that were deleted')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Tables without their header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;history' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Cluster of the object, where the store holds several')
            [CompletionResult]::new('--uid', '--uid', [CompletionResultType]::ParameterName, 'The object''s uid, instead of or besides KIND/NAME')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Keep only writes that changed this path or below it (repeatable), e.g. spec.minReadySeconds')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show bookkeeping changes too (resourceVersion, generation, timestamps)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show bookkeeping changes too (resourceVersion, generation, timestamps)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Tables without their header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;conflicts' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only objects in this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only objects in this namespace')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only objects of this kind (deploy, pods, widgets.example.com, ...)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only 409s of this user or component (substring: deployment-controller, kubelet@, alice)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Detail at most this many groups, oldest first (0: all); the summary counts them all')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Tables without their header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;trace' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Cluster of the object, where the store holds several')
            [CompletionResult]::new('--uid', '--uid', [CompletionResultType]::ParameterName, 'The object''s uid, instead of or besides KIND/NAME')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'How spans are arranged: tree, timeline, tracing or grouping (see the README)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Which relatives are followed')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'Follow at most N ownership links up from the object and N below it')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store')
            [CompletionResult]::new('--exclude-user', '--exclude-user', [CompletionResultType]::ParameterName, 'Leave out requests of this user or component (substring; repeatable)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only writes (create/update/patch/delete), or only Events')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N spans and logged entries in the terminal (0: all); a summary says what was cut')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Columns of the terminal rendering (default: the terminal''s width, else $COLUMNS, else 100)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show what is hidden as noise: reads (get/list/watch), leader election, leases')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Show every log line, uncut')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;man' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no summary: only results and problems')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kelemetry-cli;help' {
            [CompletionResult]::new('ingest', 'ingest', [CompletionResultType]::ParameterValue, 'Read audit logs, Event dumps and object dumps into the store')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Summarise the store: time span, clusters, files, requests by verb, resource, user and code, the top writers, 409s, and objects by kind')
            [CompletionResult]::new('objects', 'objects', [CompletionResultType]::ParameterValue, 'List objects, newest activity first: kind, namespace, name, uid, controller owner, first and last seen, created and deleted, and how many requests and Events mention it')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'The resourceVersion chain of an object: every write with its writer and changed fields')
            [CompletionResult]::new('conflicts', 'conflicts', [CompletionResultType]::ParameterValue, 'Group 409 Conflicts by the resourceVersion the writers raced on')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'What happened to an object and everything it owns, in order: one span per object, its owned objects below it, apiserver requests and Events as child spans or logs')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (the repository ships them under completions/)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff); the repository ships it as man/kelemetry-cli.1')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kelemetry-cli;help;ingest' {
            break
        }
        'kelemetry-cli;help;stats' {
            break
        }
        'kelemetry-cli;help;objects' {
            break
        }
        'kelemetry-cli;help;history' {
            break
        }
        'kelemetry-cli;help;conflicts' {
            break
        }
        'kelemetry-cli;help;trace' {
            break
        }
        'kelemetry-cli;help;completions' {
            break
        }
        'kelemetry-cli;help;man' {
            break
        }
        'kelemetry-cli;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
