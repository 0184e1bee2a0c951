" Clusim scenario scripts: *.clu, or a #! line that runs clusim.
autocmd BufRead,BufNewFile *.clu setfiletype clusim
autocmd BufRead,BufNewFile * if getline(1) =~# '^#!.*\<clusim\>' | setfiletype clusim | endif
