# SPDX-License-Identifier: GPL-2.0
# The cost curve of `make bench` (issue #16): GET and PUT as multiples of
# the null ioctl (left axis) and kernel bytes per entry beyond key+value
# (right axis) at each table size, 16 B keys / 64 B values.
# gnuplot -e "datafile='curve.dat'; outfile='bench-curve.png'; subtitle='...'" bench_curve.gp
if (!exists("datafile")) datafile = 'curve.dat'
if (!exists("outfile")) outfile = 'bench-curve.png'
if (!exists("subtitle")) subtitle = 'times are emulated, only ratios carry over'

set terminal pngcairo size 1000,560 font 'DejaVu Sans,10' noenhanced
set output outfile
set title "skv cost curve, 16 B keys / 64 B values, random key order\n".subtitle
set logscale x 10
set xlabel 'entries in the table'
set ylabel '× null ioctl (per op)'
set y2label 'kernel bytes per entry beyond key+value'
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set grid
set key top left
plot datafile using 1:2 with linespoints lw 2 pt 7 title 'GET', \
     '' using 1:3 with linespoints lw 2 pt 5 title 'PUT (replace)', \
     '' using 1:4 axes x1y2 with linespoints lw 2 pt 9 dt 2 title 'bytes per entry (right)', \
     64 axes x1y2 with lines dt 3 lc rgb 'black' title '64 B budget (right)'
