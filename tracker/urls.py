from django.urls import path

app_name = "tracker"
urlpatterns = []
