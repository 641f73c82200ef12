from rest_framework.pagination import PageNumberPagination

from ..pagination import IdsFirstPaginator


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 100), counted and read as the public lists are."""

    django_paginator_class = IdsFirstPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
