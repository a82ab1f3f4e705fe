# bash completion for ismsctl(1)                        -*- shell-script -*-

_ismsctl()
{
    local cur prev words cword
    _init_completion || return

    local commands="check diff rules schema test new-pack status results explain
        summary watch sync ack history call calendar audit-plan review-pack
        attest verify keygen soa report version help"
    local daemon="--socket --repo --json --help"

    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi

    case $prev in
        --key | --pub | --creds)
            _filedir
            return
            ;;
        --repo | --worktree | --rules | --pack | --dir | --out)
            _filedir -d
            return
            ;;
        --socket)
            _filedir
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W "text json tap" -- "$cur"))
            return
            ;;
        --status)
            COMPREPLY=($(compgen -W "pass fail warn not_applicable waived error" -- "$cur"))
            return
            ;;
        --topics)
            COMPREPLY=($(compgen -W "results findings commits status reminders" -- "$cur"))
            return
            ;;
        --ref | --now | --clause | --control | --theme | --as-of | --cursor | \
            --count | --timeout | --since | --until | --limit | --links)
            return
            ;;
    esac

    local opts
    case ${words[1]} in
        check) opts="--repo --ref --worktree --as-of --index --baseline --fail-on --now --rules --pack --format --rule --verbose --profile --help" ;;
        diff) opts="--repo --now --rules --pack --fail-on --json --daemon --socket --help" ;;
        rules) opts="--rules --pack --coverage --markdown --json --help" ;;
        schema) opts="--list --markdown --out --help" ;;
        test)
            opts="--rules --pack --help"
            [[ $cur != -* ]] && { _filedir; return; }
            ;;
        new-pack) opts="--dir --help" ;;
        status) opts="--fleet --nats --bucket --creds $daemon" ;;
        sync | ack) opts="$daemon" ;;
        attest) opts="--key --out --repo --ref --now --rules --pack --help" ;;
        verify) opts="--pub --repo --rules --pack --signature-only --help" ;;
        keygen) opts="--key --pub --help" ;;
        results) opts="--status --clause --control --theme --as-of $daemon" ;;
        explain | summary) opts="--as-of $daemon" ;;
        watch) opts="--topics --cursor --count --timeout $daemon" ;;
        history) opts="--since --until --limit --from --to --every $daemon" ;;
        call) opts="--raw --socket --help" ;;
        calendar) opts="--repo --ref --worktree --now --ics --json --timing --socket --help" ;;
        audit-plan) opts="--repo --ref --worktree --now --rules --json --timing --socket --help" ;;
        review-pack) opts="--repo --ref --worktree --now --links --socket --help" ;;
        soa) opts="--repo --ref --now --as-of --format --output --daemon --socket --help" ;;
        report) opts="--repo --ref --now --as-of --format --output --help" ;;
        *) return ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
} &&
    complete -F _ismsctl ismsctl

# ex: filetype=sh
