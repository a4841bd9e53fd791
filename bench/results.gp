# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bench/results.gp - bench/run's plot: Mpps per path (median, min-max bars)
# and xdpfw's program cost (bench/cost.c, 4,096 flows; one frame hot, dashed)
# against rule count and blocklist set size. Called with
#   gnuplot -e "datadir='DIR'; out='FILE.png'; withcost=1" bench/results.gp
# (withcost=0: no program-cost figures, throughput only).
set terminal pngcairo noenhanced size 1200,1350 font ",10"
set output out
set multiplot layout (withcost ? 3 : 1),1 title "xdpfw benchmark (bench/RESULTS.md has the machine and command)"

set title "Throughput through a veth pair (median of rounds, min-max bars)"
set ylabel "Mpps received"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set xtics rotate by -30 left
set yrange [0:*]
set grid ytics
set bmargin 9
set rmargin 24
plot datadir."/mpps.dat" using 2:3:4:xtic(1) notitle lc rgb "#4477aa"

if (withcost) {
	set title "xdpfw program cost against rule count, the last rule matches"
	set style data linespoints
	set logscale xy 10
	set xrange [0.7:1500]
	set yrange [*:*]
	set xtics norotate
	set xlabel "rules"
	set ylabel "ns per packet (log)"
	set bmargin 4
	set key top left
	plot datadir."/rules.dat" using 1:3 title "4,096 flows, a frame a run (run-time statistics)" lw 2, \
	     datadir."/rules.dat" using 1:4 title "live on the veth, 4,096 flows" lw 2 dt 3, \
	     datadir."/rules.dat" using 1:2 title "one frame, hot" lw 1 dt 2

	set title "xdpfw program cost against blocklist set size (drop saddr @set), 4,096 flows"
	set logscale x 10
	unset logscale y
	set xrange [5:2e6]
	set yrange [0:*]
	set format x "%.0f"
	set xlabel "prefixes in the set (log)"
	set ylabel "ns per packet"
	set key top left
	plot datadir."/sets4.dat" using 1:3 title "IPv4, frames miss the set" lw 2 pt 7, \
	     datadir."/sets4hit.dat" using 1:3 title "IPv4, frames hit the set" lw 2 pt 5, \
	     datadir."/sets6.dat" using 1:3 title "IPv6, frames miss the set" lw 2 pt 9, \
	     datadir."/sets6hit.dat" using 1:3 title "IPv6, frames hit the set" lw 2 pt 11, \
	     datadir."/setsmix.dat" using 1:3 title "IPv4 + IPv6 set, IPv4 frames miss" with points pt 13 ps 1.5, \
	     datadir."/sets4.dat" using 1:2 title "IPv4, miss, one frame hot" lw 1 dt 2, \
	     datadir."/sets6.dat" using 1:2 title "IPv6, miss, one frame hot" lw 1 dt 2
}
unset multiplot
