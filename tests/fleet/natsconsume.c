/* natsconsume.c - a durable JetStream pull consumer for the fleet tests:
 * prints "SUBJECT<TAB>Nats-Msg-Id" for each message it gets, acknowledges
 * it (waiting for the server's confirmation), and exits once nothing came
 * for IDLE_MS. The consumer is created on first use.
 *
 *   natsconsume URL STREAM DURABLE [FILTER [IDLE_MS]] */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	jsCtx *js = NULL;
	jsErrCode je = 0;
	jsSubOptions so;
	int total = 0;
	if (argc < 4) {
		fprintf(stderr, "usage: natsconsume URL STREAM DURABLE [FILTER [IDLE_MS]]\n");
		return 2;
	}
	const char *filter = argc > 4 ? argv[4] : "isms.>";
	long idle = argc > 5 ? atol(argv[5]) : 1500;
	natsStatus s = natsConnection_ConnectTo(&nc, argv[1]);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	jsSubOptions_Init(&so);
	so.Stream = argv[2];
	so.Config.AckWait = 30000000000LL;
	if (s == NATS_OK)
		s = js_PullSubscribe(&sub, js, filter, argv[3], NULL, &so, &je);
	while (s == NATS_OK) {
		natsMsgList list = { 0 };
		s = natsSubscription_Fetch(&list, sub, 256, idle, &je);
		if (s == NATS_TIMEOUT) {
			s = NATS_OK;
			break;
		}
		for (int i = 0; s == NATS_OK && i < list.Count; i++) {
			const char *id = "";
			natsMsgHeader_Get(list.Msgs[i], "Nats-Msg-Id", &id);
			printf("%s\t%s\n", natsMsg_GetSubject(list.Msgs[i]), id);
			s = natsMsg_AckSync(list.Msgs[i], NULL, &je);
			total++;
		}
		natsMsgList_Destroy(&list);
	}
	fflush(stdout);
	if (s != NATS_OK)
		fprintf(stderr, "natsconsume: %s (%d) after %d messages\n", natsStatus_GetText(s),
		        (int)je, total);
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return s == NATS_OK ? 0 : 1;
}
