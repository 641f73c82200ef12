# Sources hold their archived text (and original file); citations remember where their quote sits in it.
# The shared copy's file name (``document``) becomes the original file's name.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0006_search_document_and_stable_order"),
    ]

    operations = [
        migrations.RenameField(model_name="historicalsource", old_name="document", new_name="original_name"),
        migrations.RenameField(model_name="source", old_name="document", new_name="original_name"),
        migrations.AddField(
            model_name="citation",
            name="end",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="end in the source's text"
            ),
        ),
        migrations.AddField(
            model_name="citation",
            name="start",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="start in the source's text"
            ),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="end",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="end in the source's text"
            ),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="start",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="start in the source's text"
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="original_name",
            field=models.CharField(blank=True, db_default="", max_length=200, verbose_name="original file name"),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="original_type",
            field=models.CharField(blank=True, db_default="", max_length=100, verbose_name="original file type"),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="text",
            field=models.TextField(
                blank=True,
                db_default="",
                help_text="The document's full text as published, unedited. Every quote from this source must occur in it; leave it empty only for a document with no text to archive (its citations are shown as not verifiable).",
                verbose_name="archived text",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="original",
            field=models.BinaryField(blank=True, null=True, verbose_name="original file"),
        ),
        migrations.AlterField(
            model_name="source",
            name="original_name",
            field=models.CharField(blank=True, db_default="", max_length=200, verbose_name="original file name"),
        ),
        migrations.AddField(
            model_name="source",
            name="original_type",
            field=models.CharField(blank=True, db_default="", max_length=100, verbose_name="original file type"),
        ),
        migrations.AddField(
            model_name="source",
            name="text",
            field=models.TextField(
                blank=True,
                db_default="",
                help_text="The document's full text as published, unedited. Every quote from this source must occur in it; leave it empty only for a document with no text to archive (its citations are shown as not verifiable).",
                verbose_name="archived text",
            ),
        ),
    ]
