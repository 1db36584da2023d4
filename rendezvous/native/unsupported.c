/* Not Linux: no sendmmsg/UDP_SEGMENT/UDP_GRO. Exports nothing; rendezvous/net/native.ts then uses node:dgram alone. */
#include <node_api.h>
static napi_value init(napi_env env, napi_value exports) { return exports; }
NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
