"""Group planning: who meets whom, when and how. Pure functions, no I/O; the surface is
services/grouping/domain.py.

How a plan is made (plan.py):

1. The pool is split by district. Districts never share a group (in person the 45 km rule stays inside
   a district; digital groups stay in it too unless `digital_scope="country"`), so each is solved on
   its own, in parallel processes when `workers > 1`.
2. Per district the heuristic (heuristic.py) builds groups by *kind* (classes.py): slot x topic mode
   (one topic, or across topics) x gender mode (any, or one gender when someone wishes it). Inside a
   kind only age and place are left, and a dynamic programme over age order (construct.py) finds the
   best split of that kind exactly. Kinds are taken smallest first, from one municipality, to
   neighbouring municipalities (maximal cliques, so every pair is within reach), to digital.
3. Local moves (improve.py) place people still waiting: join a group, take a seat whose holder moves on,
   start a group with members borrowed from groups above the minimum, swap with someone who waited less.
   Ruin and recreate (lns.py) dissolves up to three groups around a waiting person and rebuilds them,
   which the moves alone cannot do. A polish (polish.py) mends lone-gender groups and grows small ones.
4. Small pools (auto: up to `exact_max_pool` people) are also given to an exact CP-SAT model (exact.py),
   warm-started with the heuristic plan; the better plan wins. The same model is the bench's reference.
5. Everyone left waiting gets reasons (explain.py): the first filter (reach, time, topic, gender, age)
   that leaves fewer than the minimum, or "placed elsewhere" when others took the possible seats.

Every solver uses one score (pool.score): a placement outweighs all soft goals together; then waiting
time (one point a day), a lone man or woman (-365: a year of someone's waiting), single gender by chance,
distance from the target size, age span. The lone man/woman rule is soft by default because making it
hard costs placements (bench: about 2-3 points of the share placed); `lone_gender="hard"` makes it hard.

Results depend only on the input, the rules and the seed: search effort is a budget of person-steps
(`search_budget`), not wall time, and CP-SAT runs single-threaded with a deterministic time limit.
"""
