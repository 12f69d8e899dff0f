# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kelemetry_cli_global_optspecs
    string join \n db= color= q/quiet h/help V/version
end

function __fish_kelemetry_cli_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kelemetry_cli_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kelemetry_cli_using_subcommand
    set -l cmd (__fish_kelemetry_cli_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "ingest" -d 'Read audit logs, Event dumps and object dumps into the store'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "stats" -d 'Summarise the store: time span, clusters, files, requests by verb, resource, user and code, the top writers, 409s, and objects by kind'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "objects" -d 'List objects, newest activity first: kind, namespace, name, uid, controller owner, first and last seen, created and deleted, and how many requests and Events mention it'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "history" -d 'The resourceVersion chain of an object: every write with its writer and changed fields'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "conflicts" -d 'Group 409 Conflicts by the resourceVersion the writers raced on'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "trace" -d 'What happened to an object and everything it owns, in order: one span per object, its owned objects below it, apiserver requests and Events as child spans or logs'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "completions" -d 'Print a shell completion script (the repository ships them under completions/)'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "man" -d 'Print the man page (roff); the repository ships it as man/kelemetry-cli.1'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -l cluster -d 'The cluster these files come from (default: `default`). A Kelemetry dump line\'s own `cluster` wins over it; it wins over a GKE entry\'s cluster label' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and trees for a person'
wide\t'Tables with every column (uids, exact times), as kubectl\'s `-o wide`'
json\t'JSON for scripts and `jq` (docs/json.md)'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -l strict -d 'Fail on the first bad record and keep nothing from this run'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -l no-headers -d 'Tables without their header line'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand ingest" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and trees for a person'
wide\t'Tables with every column (uids, exact times), as kubectl\'s `-o wide`'
json\t'JSON for scripts and `jq` (docs/json.md)'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -s i -l input -d 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them' -r -F
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -l no-headers -d 'Tables without their header line'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand stats" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s n -l namespace -d 'Only this namespace' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s l -l selector -d 'Only objects whose labels, in their latest known state, match (app=web,tier!=db,env in (a,b),!canary)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -l name -d 'Only names matching this glob (`web-*`, `web-[0-9]*`)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -l limit -d 'At most this many (0: all)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and trees for a person'
wide\t'Tables with every column (uids, exact times), as kubectl\'s `-o wide`'
json\t'JSON for scripts and `jq` (docs/json.md)'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s i -l input -d 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them' -r -F
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s A -l all-namespaces -d 'Every namespace (the default; accepted as kubectl takes it)'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -l deleted -d 'Only objects that were deleted'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -l no-headers -d 'Tables without their header line'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand objects" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s n -l namespace -d 'Namespace of the object' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l cluster -d 'Cluster of the object, where the store holds several' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l uid -d 'The object\'s uid, instead of or besides KIND/NAME' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l field -d 'Keep only writes that changed this path or below it (repeatable), e.g. spec.minReadySeconds' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l since -d 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l until -d 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and trees for a person'
wide\t'Tables with every column (uids, exact times), as kubectl\'s `-o wide`'
json\t'JSON for scripts and `jq` (docs/json.md)'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s i -l input -d 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them' -r -F
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s v -l verbose -d 'Show bookkeeping changes too (resourceVersion, generation, timestamps)'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -l no-headers -d 'Tables without their header line'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand history" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -s n -l namespace -d 'Only objects in this namespace' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l kind -d 'Only objects of this kind (deploy, pods, widgets.example.com, ...)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l user -d 'Only 409s of this user or component (substring: deployment-controller, kubelet@, alice)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l limit -d 'Detail at most this many groups, oldest first (0: all); the summary counts them all' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l since -d 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l until -d 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and trees for a person'
wide\t'Tables with every column (uids, exact times), as kubectl\'s `-o wide`'
json\t'JSON for scripts and `jq` (docs/json.md)'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -s i -l input -d 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them' -r -F
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -l no-headers -d 'Tables without their header line'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand conflicts" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -s n -l namespace -d 'Namespace of the object' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l cluster -d 'Cluster of the object, where the store holds several' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l uid -d 'The object\'s uid, instead of or besides KIND/NAME' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l pipeline -d 'How spans are arranged: tree, timeline, tracing or grouping (see the README)' -r -f -a "tree\t'Object spans nested by ownership; requests and Events as child spans of their object'
timeline\t'Every request and Event under the root span in time order, labelled with its object'
tracing\t'Requests and Events as timestamped logs on their object\'s span; spans shrink to activity'
grouping\t'Under each object one span per source (audit, events); audit split per component'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l scope -d 'Which relatives are followed' -r -f -a "full\t'From the top-most controller ancestor down through everything it owns'
ancestors\t'The object and its controller ancestors only'
children\t'The object and what it owns, below it'
object\t'The object alone'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l depth -d 'Follow at most N ownership links up from the object and N below it' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l since -d 'Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d) before the newest record in the store' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l until -d 'End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest record in the store' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l exclude-user -d 'Leave out requests of this user or component (substring; repeatable)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l only -d 'Only writes (create/update/patch/delete), or only Events' -r -f -a "writes\t'Successful and failed writes (create, update, patch, delete)'
events\t'Kubernetes Events'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l limit -d 'Show at most N spans and logged entries in the terminal (0: all); a summary says what was cut' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l width -d 'Columns of the terminal rendering (default: the terminal\'s width, else $COLUMNS, else 100)' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -s o -l output -d 'Output format' -r -f -a "text\t'A tree with time bars for the terminal'
json\t'kelemetry-cli\'s span schema (docs/trace-json.md), for `jq`'
jaeger\t'Jaeger\'s trace JSON: open it in Jaeger UI with "JSON File"'
otlp\t'OTLP/JSON resourceSpans, for an OpenTelemetry Collector\'s otlpjsonfile receiver'"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -s i -l input -d 'Ingest these files or directories first (with `--db :memory:` nothing is written to disk). They take every argument up to the next option: give KIND/NAME before them' -r -F
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l all -d 'Show what is hidden as noise: reads (get/list/watch), leader election, leases'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -l wide -d 'Show every log line, uncut'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand trace" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand completions" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand completions" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand completions" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand man" -l db -d 'The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk' -r
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand man" -l color -d 'When to colour the output; `auto` colours a terminal unless NO_COLOR is set (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand man" -s q -l quiet -d 'No progress bar and no summary: only results and problems'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand man" -s h -l help -d 'Print help'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand man" -s V -l version -d 'Print version'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "ingest" -d 'Read audit logs, Event dumps and object dumps into the store'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "stats" -d 'Summarise the store: time span, clusters, files, requests by verb, resource, user and code, the top writers, 409s, and objects by kind'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "objects" -d 'List objects, newest activity first: kind, namespace, name, uid, controller owner, first and last seen, created and deleted, and how many requests and Events mention it'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "history" -d 'The resourceVersion chain of an object: every write with its writer and changed fields'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "conflicts" -d 'Group 409 Conflicts by the resourceVersion the writers raced on'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "trace" -d 'What happened to an object and everything it owns, in order: one span per object, its owned objects below it, apiserver requests and Events as child spans or logs'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "completions" -d 'Print a shell completion script (the repository ships them under completions/)'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "man" -d 'Print the man page (roff); the repository ships it as man/kelemetry-cli.1'
complete -c kelemetry-cli -n "__fish_kelemetry_cli_using_subcommand help; and not __fish_seen_subcommand_from ingest stats objects history conflicts trace completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
