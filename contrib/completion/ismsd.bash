# bash completion for ismsd(8)                          -*- shell-script -*-

_ismsd()
{
    local cur prev words cword
    _init_completion || return

    case $prev in
        -c | --config | --socket | --pidfile)
            _filedir
            return
            ;;
        --repo | --state-dir | --rules)
            _filedir -d
            return
            ;;
        --log-level)
            COMPREPLY=($(compgen -W "error warning info debug" -- "$cur"))
            return
            ;;
        --now)
            return
            ;;
    esac
    COMPREPLY=($(compgen -W "-c --config -f --foreground -t --test --repo --socket
        --state-dir --rules --pidfile --log-level --syslog --now --frozen-clock --help
        --version" -- "$cur"))
} &&
    complete -F _ismsd ismsd

# ex: filetype=sh
