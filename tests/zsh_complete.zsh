# What zsh's completion system offers for a command line: an interactive zsh in a pseudo
# terminal (zpty), compinit, the committed completion script, the line typed and Tab
# pressed. Each candidate that completion adds is printed on a line.
#   usage: zsh -f zsh_complete.zsh COMPLETIONS_DIR 'kelemetry-cli trace --pi'
zmodload zsh/zpty
zpty shell zsh -f -i
zpty -w shell "PS1=''; RPS1=''"
zpty -w shell "autoload -U compinit; compinit -u -D; source $1/_kelemetry-cli"
zpty -w shell "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
# The markers are assembled at run time, so the echo of these lines never contains them.
zpty -w shell "__hit='<h'; __hit+='it>'; __end='<e'; __end+='nd>'"
zpty -w shell "capture() { compadd() { builtin compadd -O __hits \"\$@\"; builtin compadd \"\$@\"; print -rl -- \${__hit}\${^__hits}; unset __hits; }; }; compprefuncs=(capture)"
# ^T: a key of its own (^X is a prefix in the emacs keymap, which makes zsh wait for more).
zpty -w shell "finish() { print -r -- \$__end; exit }; zle -N finish; bindkey '^T' finish"
zpty -w shell "$2"$'\t'
zpty -w -n shell $'\C-t'
while zpty -r shell line; do
    [[ $line == *'<end>'* ]] && break
    [[ $line == *'<hit>'* ]] && print -r -- "${${line##*<hit>}%%$'\r'}"
done
zpty -d shell
