import sys, statistics as st
two=[]; one=[]
for l in open(sys.argv[1]):
    f=l.split('\t')
    if f[0]=='one': one.append((int(f[1]),int(f[2])))
    else: two.append(list(map(int,f)))
two=two[len(two)//4:]
def q(xs,p): xs=sorted(xs); return xs[int(p*(len(xs)-1))]
rows=[]
for i in range(len(two)-1):
    t0,s1,e0,e1,back,u0,u1,ub=two[i]
    nxt=two[i+1][0]
    if nxt-ub>200000: continue   # block boundary
    rows.append(dict(step=nxt-t0, fbwall=back-t0, m0=e0-t0, lag1=s1-t0, m1=e1-s1, upd=ub-back, u0=u0-back, u1=u1-back, gap=nxt-ub))
keys=['step','fbwall','m0','lag1','m1','upd','u0','u1','gap']
print("all steps (us): " + "  ".join(f"{k} p50 {q([r[k] for r in rows],.5)/1e3:.0f} mean {st.mean(r[k] for r in rows)/1e3:.0f}" for k in keys))
rows.sort(key=lambda r:r['step'])
n=len(rows)
for lo,hi in [(0,.5),(.5,.8),(.8,.9),(.9,.97),(.97,1)]:
    sub=rows[int(lo*n):int(hi*n)]
    print(f"steps {int(lo*100)}-{int(hi*100)}%: " + "  ".join(f"{k} {st.mean(r[k] for r in sub)/1e3:.0f}" for k in keys))
tot=sum(r['step'] for r in rows); med=q([r['step'] for r in rows],.5)
print("excess over median step, share by percentile band:", )
for lo,hi in [(0,.5),(.5,.8),(.8,.9),(.9,.97),(.97,1)]:
    sub=rows[int(lo*n):int(hi*n)]
    print(f"  {int(lo*100)}-{int(hi*100)}%: {sum(r['step']-med for r in sub)/tot*100:.1f}% of total time")
# which member is slow in slow steps
sub=rows[int(.9*n):]
print("slow 10%: m0 fb > m1 fb in", sum(1 for r in sub if r['m0']>r['m1']+r['lag1']), "of", len(sub), "; lag1>50us in", sum(1 for r in sub if r['lag1']>50000))
if one:
    d=[b-a for a,b in one][len(one)//4:]
    print("1-thread step p50", q(d,.5)/1e3)
