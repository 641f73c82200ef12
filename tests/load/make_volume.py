"""Add N synthetic published initiatives (with a citation and focus areas each) for load tests.

Run with: manage.py shell < tests/load/make_volume.py  (N from the LOAD_INITIATIVES environment variable).
"""

import os
import random

from tracker.models import Citation, FocusArea, Initiative, Source

count = int(os.environ.get("LOAD_INITIATIVES", "5000"))
random.seed(7)
areas = list(FocusArea.objects.all())
source = Source.objects.first()
words = "defence reform cyber crisis training interoperability integrity peace support emergency science".split()
batch = [
    Initiative(
        title=f"Synthetic initiative {n}: {' '.join(random.sample(words, 3))}",
        slug=f"synthetic-{n}",
        summary=" ".join(random.sample(words, 6)),
        kind=random.choice(Initiative.Kind.values),
        status=random.choice(Initiative.Status.values),
        published=True,
    )
    for n in range(count)
]
created = Initiative.objects.bulk_create(batch, batch_size=2000)
Citation.objects.bulk_create(
    [Citation(source=source, quote="Synthetic quote.", initiative=i) for i in created], batch_size=2000
)
Through = Initiative.focus_areas.through
Through.objects.bulk_create(
    [Through(initiative_id=i.pk, focusarea_id=area.pk) for i in created for area in random.sample(areas, 2)],
    batch_size=5000,
)
print(f"{Initiative.objects.count()} initiatives")
