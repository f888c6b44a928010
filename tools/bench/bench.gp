# SPDX-License-Identifier: GPL-2.0
# The chart of `make bench`: every figure as a multiple of the null ioctl
# measured in the same boot, one bar per key/value size, log scale.
# gnuplot -e "datafile='bench.dat'; outfile='bench.png'; subtitle='...'" bench.gp
if (!exists("datafile")) datafile = 'bench.dat'
if (!exists("outfile")) outfile = 'bench.png'
if (!exists("subtitle")) subtitle = 'times are emulated, only ratios carry over'

set terminal pngcairo size 1400,720 font 'DejaVu Sans,10' noenhanced
set output outfile
set title "skv and its peers: time per key as a multiple of the null ioctl (lower is better)\n".subtitle
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [0.1:*]
set ylabel '× null ioctl (log scale)'
set grid ytics mytics
set xtics rotate by -35 left nomirror
set key top left
set datafile missing '-'
set bmargin 11
set rmargin 8
plot datafile using 2:xtic(1) title '16 B keys / 64 B values' lc rgb '#1f77b4', \
     '' using 3 title '32 B / 1 KiB' lc rgb '#ff7f0e', \
     '' using 4 title '32 B / 16 KiB' lc rgb '#2ca02c', \
     1 with lines dt 2 lc rgb 'black' notitle
