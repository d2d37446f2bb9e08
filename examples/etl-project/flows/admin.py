import prefect
from prefect import Client
from prefect.schedules import OneTimeSchedule
import pendulum

schedule = OneTimeSchedule(start_date=pendulum.datetime(2022, 1, 1))


def switch(tenant):
    client = Client()
    client.login_to_tenant(tenant_slug=tenant)
    return client.active_tenant_id


def send_logs():
    return prefect.config.logging.log_to_cloud
