import{i as e,n as t,r as n,t as r}from"./session-zOH4qJy5.js";var i,a,o,s,c,l,u,d,f,p,m=Symbol.for(`pv`),h={},g=[],_=/^m(i|n|o|s|text|space)$/,v=Array.isArray,y=g.slice,b=Object.assign;function x(e){e&&e.parentNode&&e.remove()}function S(e,t,n,r,o){var s={type:e,props:t,key:n,ref:r,__k:null,__:null,__b:0,__e:null,__c:null,constructor:m,__v:o||++a,__i:-1,__u:0};return!o&&i.vnode&&i.vnode(s),s}function C(e){return e.children}function w(e,t){this.props=e,this.context=t,this.__g=0}function T(e,t){if(t==null)return e.__&&T(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:T(e)}function E(e){var t,n=e.__v,r=n.__e,a=[],o=[],s=e.__P;s&&((t=b({constructor:m},n)).__v=n.__v+1,i.vnode&&i.vnode(t),F(s,t,n,e.__n,s.namespaceURI,32&n.__u?[r]:null,a,r||T(n),32&n.__u,o),t.__v=n.__v,t.__.__k[t.__i]=t,I(a,t,o),n.__=n.__e=null,t.__e!=r&&D(t))}function D(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),D(e)}function O(e){(8&e.__g||(e.__g|=8,o.push(e),c++))&&s==i.debounceRendering||((s=i.debounceRendering)||queueMicrotask)(k)}function k(){try{for(var e,t=1;o.length;)o.length>t&&o.sort(l),e=o.shift(),t=o.length,8&e.__g&&E(e)}finally{(c=o.length)&&(s||queueMicrotask)(k)}}function ee(e,t,n,r,i,a,o,s,c,l,u){var d,f,p,m,_,v,y=r.__k||g,b=t.length;for(c=A(n,t,y,c,b),d=0;d<b;d++)(p=n.__k[d])!=null&&(f=~p.__i&&y[p.__i]||h,p.__i=d,v=F(e,p,f,i,a,o,s,c,l,u),m=p.__e,(f.ref!=p.ref||8&f.__u)&&(f.ref&&ae(f.ref,null,p,f),p.ref&&u.push(p.ref,p.__c||m,p)),_||=m,4&p.__u?(c=j(p,c,e,!f.__v),f.__e&&(f.__e=null)):typeof p.type==`function`&&v!==void 0?c=v:m&&(c=m.nextSibling),p.__u&=-21);return n.__e=_,c}function A(e,t,n,r,i){var a,o,s,c,l,u,d,f,p,h=n.length,g=h,_=0,y=0,b=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=b[a]=S(null,o):v(o)?o=b[a]=S(C,{children:o}):o.constructor===m&&o.__b?o=b[a]=S(o.type,o.props,o.key,o.ref,o.__v):b[a]=o,c=a+_,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=te(o,n,c,g))&&(g--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?_--:l==c+1?_++:l!=c&&(l>c?_--:_++,y=1)):(~l||(i>h?_--:i<h&&_++),typeof o.type!=`function`&&(o.__u|=4))):b[a]=null;if(y){for(u=[],d=[],a=0;a<i;a++)if((o=b[a])&&16&o.__u){for(_=0,f=u.length;_<f;)u[p=_+f>>1]<o.__i?_=p+1:f=p;u[_]=o.__i,d[a]=_+1}for(_=u.length;a--;)d[a]&&(d[a]==_?_--:b[a].__u|=4)}if(g)for(a=0;a<h;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=T(s)),oe(s,s));return r}function j(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=j(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=T(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function te(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function M(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function N(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||M(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||M(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=p[t]||(p[t]=P(t)),(e.__a||={})[t]=f,a=t!=(t=t.replace(d,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function P(e){return function(t){var n=this.__e;if(n){if(n=n[e],t[u]==null)t[u]=f++;else if(t[u]<this.__a[e])return;return n(i.event?i.event(t):t)}}}function F(e,t,n,r,a,o,s,c,l,u){var d,f,p,h,_,y,S,E,D,O,k,A,j,te,M,N,P,F,I=t.type;if(t.constructor!==m)return null;128&n.__u&&(l=32&n.__u,d=n.__c.__z)&&(t.__u|=l,f=o=[],d.nodeType==8?c=ne(d,o):o.push(d),c=o[0]||c),(d=i.__b)&&d(t);e:if(typeof I==`function`){p=s.length;try{if(E=t.props,D=(d=I.prototype)&&d.render,O=(d=I.contextType)&&r[d.__c],k=d?O?O.props.value:d.__:r,(h=n.__c)?(t.__c=h,2&h.__g&&(h.__g|=1)):(D?t.__c=h=new I(E,k):(t.__c=h=new w(E,k),h.constructor=I,h.render=se),O&&O.sub(h),h.state||(h.state={}),h.__n=r,h.__g|=8,h.__h=[],h.__k=[]),D&&(h.__s||(h.__s=h.state),I.getDerivedStateFromProps&&(h.__s==h.state&&(h.__s=b({},h.__s)),b(h.__s,I.getDerivedStateFromProps(E,h.__s)))),_=h.props,y=h.state,h.__v=t,n.__c){if(E!==_&&D&&!I.getDerivedStateFromProps&&h.componentWillReceiveProps&&h.componentWillReceiveProps(E,k),t.__v==n.__v&&!(8&h.__g)||!(4&h.__g)&&h.shouldComponentUpdate&&!1===h.shouldComponentUpdate(E,h.__s,k)){t.__v!=n.__v&&(h.props=E,h.state=h.__s,h.__g&=-9),t.__e=n.__e,t.__k=n.__k,t.__k.some(function(e){e&&(e.__=t)}),g.push.apply(h.__h,h.__k),h.__k=[],h.__h.length&&s.push(h),c=T(n);break e}h.componentWillUpdate&&h.componentWillUpdate(E,h.__s,k),D&&h.componentDidUpdate&&h.__h.push(function(){h.componentDidUpdate(_,y,S)})}else D&&!I.getDerivedStateFromProps&&h.componentWillMount&&h.componentWillMount(),D&&h.componentDidMount&&h.__h.push(h.componentDidMount);h.context=k,h.props=E,h.__P=e,h.__g&=-5,A=i.__r,j=D?25:0;do h.__g&=-9,A&&A(t),d=h.render(h.props,h.state=h.__s,h.context);while(8&h.__g&&++j<25);D&&(g.push.apply(h.__h,h.__k),h.__k=[]),h.state=h.__s,h.getChildContext&&(r=b({},r,h.getChildContext())),D&&n.__c&&h.getSnapshotBeforeUpdate&&(S=h.getSnapshotBeforeUpdate(_,y)),te=d&&d.type===C&&d.key==null?d.props.children:d,E.__P&&(d=c,a=(e=E.__P).namespaceURI,l=o=null,n.props&&n.props.__P!=e&&(n.__k.some(function(e){e&&oe(e,e)}),n.__k=null),c=n.__k?T(n,0):null),c=ee(e,v(te)?te:[te],t,n,r,a,o,s,c,l,u),E.__P&&(t.__e=null,c=d),t.__u&=-161,f&&f.some(x),h.__h.length&&s.push(h),1&h.__g&&(h.__g&=-4)}catch(e){if(s.length=p,t.__v=null,l||o){if(e&&e.then){if(t.__u|=128|l,o){for(~(P=o.indexOf(c||void 0))||(P=o.length);(F=o[P-1])&&F.nodeType==8;)P--;for(;P<o.length;P++)if(F=o[P]){if(o[P]=null,M){if(F==N)break}else{if(F.nodeType!=8)break;F.data.startsWith(`$s`)&&(N=ne(M=F))}}}if(!M){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;M=c}(d=ne(M=t.__c.__z||(t.__c.__z=M)))?(t.__e=M,c=d):t.__e=c,c&&=c.nextSibling}else o&&o.some(x)}else t.__e=n.__e;t.__k||=n.__k||[],e&&e.then||re(t),i.__e(e,t,n)}}else c=t.__e=ie(n.__e,t,n,r,a,o,s,l,u,e);return(d=i.diffed)&&d(t),c}function ne(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function re(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(re))}function I(e,t,n){for(var r=0;r<n.length;)ae(n[r++],n[r++],n[r++]);i.__c&&i.__c(t,e),e.some(function(t){try{e=t.__h,t.__h=[],e.some(function(e){e.call(t)})}catch(e){i.__e(e,t.__v)}})}function ie(e,t,n,r,a,o,s,c,l,u){var d,f,p,m,g,b,S,C,w=n.props||h,E=t.props,D=t.type;if(D==`svg`?a=`http://www.w3.org/2000/svg`:D==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(d=0;d<o.length;d++)if((g=o[d])&&(D?g.localName==D:g.nodeType==3)){e=g,o[d]=null;break}}if(!e){if(C=u.ownerDocument||document,!D)return C.createTextNode(E);e=C.createElementNS(a,D,E.is?E:u),c&&=(i.__m&&i.__m(t,o),!1),o=null}if(D){if(u=D==`template`&&e.content||e,o=D==`textarea`&&E.defaultValue!=null?null:o&&y.call(u.childNodes),!c&&o)for(w={},d=0;d<e.attributes.length;d++)w[(g=e.attributes[d]).name]=g.value;for(d in w)g=w[d],d==`dangerouslySetInnerHTML`?p=g:d==`children`||d in E||d==`value`&&`defaultValue`in E||d==`checked`&&`defaultChecked`in E||N(e,d,null,g,a);for(d in E)g=E[d],d==`children`?m=g:d==`dangerouslySetInnerHTML`?f=g:d==`value`?b=g:d==`checked`?S=g:c&&typeof g!=`function`||w[d]===g||N(e,d,g,w[d],a);f?(c||p&&(f.__html==p.__html||f.__html==e.innerHTML)||(e.innerHTML=f.__html),t.__k=[]):(p&&(e.textContent=``),(D==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&_.test(D))&&(a=`http://www.w3.org/1999/xhtml`),ee(u,v(m)?m:[m],t,n,r,a,o,s,o?o[0]:n.__k&&T(n,0),c,l),o&&o.some(x)),c&&D!=`textarea`||(d=`value`,D==`progress`&&b==null?e.removeAttribute(d):b==null||b===e[d]&&(D!=`progress`||b)||N(e,d,b,w[d],a),d=`checked`,S!=null&&S!=e[d]&&N(e,d,S,w[d],a))}else w===E||c&&e.data==E||(e.data=E);return e}function ae(e,t,n,r){try{typeof e==`function`?t?t.__x=e(t)||1:(r&&=r.__c||r.__e)&&(t=r.__x)&&(r.__x=null,typeof t==`function`?t():e(null)):e.current=t}catch(e){i.__e(e,n)}}function oe(e,t,n){var r,a,o,s;if(i.unmount&&i.unmount(e),!(r=e.ref)||r.current&&r.current!=e.__e||ae(r,null,t,e),r=e.__c){if(r.componentWillUnmount)try{r.componentWillUnmount()}catch(e){i.__e(e,t)}r.__P=r.__n=null}if(r=e.__k)for(s=0;s<r.length;s++)r[s]&&oe(r[s],t,typeof e.type!=`function`||n&&!e.props.__P);!n&&(r=e.__c)&&(r=r.__z)&&(a=ne(r,o=[]))&&(r==e.__e&&o.some(x),x(a),x(r)),n||x(e.__e),e.__e=e.__c=e.__=null}function se(e,t,n){return this.constructor(e,n)}function ce(e,t){var n,r,a,o;i.__&&i.__(e,t),t.nodeType==9&&(t=t.documentElement),r=(n=e&&32&e.__u)?null:t.__k,t.__k=S(C,{children:[e]}),a=[],o=[],F(t,t.__k,r||h,h,t.namespaceURI,r?null:t.firstChild?y.call(t.childNodes):null,a,r?r.__e:t.firstChild,n,o),I(a,t.__k,o),t.__k.props.children=null}i={__e:function(e,t,n,r){for(var i,a,o;t=t.__;)if((i=t.__c)&&!(1&i.__g)){i.__g|=4;try{if((o=(a=i.constructor)&&a.getDerivedStateFromError)&&i.setState(a.getDerivedStateFromError(e)),i.componentDidCatch&&(i.componentDidCatch(e,r||{}),o=1),o&&8&i.__g)return void(i.__g|=2)}catch(t){e=t}}throw c=0,e}},a=0,w.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=b({},this.state)),typeof e==`function`&&(e=e(b({},n),this.props)),e&&(b(n,e),this.__v&&(t&&this.__k.push(t),O(this)))},w.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),O(this))},w.prototype.render=C,o=[],c=0,l=function(e,t){return e.__v.__b-t.__v.__b},u=Symbol(),d=/(PointerCapture)$|Capture$/i,f=0,p={};var L,R,le,ue,de=Object.is,z=0,fe=[],pe=[],B=i,me=B.__b,he=B.__r,ge=B.diffed,_e=B.__c,ve=B.unmount,ye=B.__;function V(e,t){B.__h&&B.__h(R,e,z||t),z=0;var n=R.__H||(R.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function H(e){return z=1,be(je,e)}function be(e,t,n){var r=V(L++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):je(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);de(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=R,!R.__f)){R.__f=!0;var i=R.shouldComponentUpdate;R.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,de(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function U(e,t){var n=V(L++,3);!B.__s&&Ae(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,R.__H.__h.push(n))}function xe(e,t){var n=V(L++,4);!B.__s&&Ae(n.__H,t)&&(n.__P=!1,n.__=e,n.u=t,R.__h.push(n))}function W(e){return z=5,Se(function(){return{current:e}},[])}function Se(e,t){var n=V(L++,7);return Ae(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function Ce(e,t){return z=8,Se(function(){return e},t)}function we(){var e=V(L++,11);if(!e.__){for(var t=R.__v;!t.__m&&t.__;)t=t.__;var n=t.__m||(t.__m=[0,0]);e.__=`P`+n[0]+`-`+n[1]++}return e.__}function Te(){var e;do{for(;e=pe.shift();)try{G(e)}catch(t){B.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=fe.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(G),t.__h.some(ke),t.__h=[]}catch(n){t.__h=[],B.__e(n,e.__v)}}}while(pe.length)}B.__b=function(e){R=null,me&&me(e)},B.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),ye&&ye(e,t)},B.__r=function(e){he&&he(e),L=0;var t=(R=e.__c).__H;t&&(le==R?R.__h=[]:(t.__h.some(G),t.__h.some(ke),L=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),le=R},B.diffed=function(e){ge&&ge(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&Oe(fe.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),le=R=null},B.__c=function(e,t){t.some(function(e){try{e.__h.some(G),e.__h=e.__h.filter(function(e){return!e.__||ke(e)})}catch(t){e.__h=[function(){throw t}]}}),_e&&_e(e,t)},B.unmount=function(e){ve&&ve(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,Oe(pe.push(r))}else G(r)}catch(e){t=e}}),r.__H=void 0,t&&B.__e(t,r.__v))};var Ee=typeof requestAnimationFrame==`function`;function De(e){var t,n=function(){clearTimeout(r),Ee&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);Ee&&(t=requestAnimationFrame(n))}function Oe(e){e!=1&&ue==B.requestAnimationFrame||((ue=B.requestAnimationFrame)||De)(Te)}function G(e){var t=R,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),R=t}function ke(e){var t=R;e.__c=e.__(),R=t}function Ae(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!de(t,e[n])})}function je(e,t){return typeof t==`function`?t(e):t}var Me=class extends Error{code;field;status;constructor(e,t,n,r){super(e),this.code=t,this.field=n,this.status=r}},Ne=new Set;function Pe(e){return Ne.add(e),()=>Ne.delete(e)}function Fe(e,t,n,r){switch(e){case`UNAUTHENTICATED`:return`Your API key was not accepted: it is unknown, revoked or expired. Sign in with a valid key.`;case`FORBIDDEN`:return`Your key's role does not allow this (${t}).`;case`RATE_LIMITED`:return`Too many requests from this key: rate limited. Try again in ${r||`a few`} second(s).`;case`UNAVAILABLE`:return`The audit log engine is unavailable or busy right now. Try again in a moment.`;case`NETWORK`:return`The auditlog server cannot be reached. Check that it is running.`;case`INTERNAL`:return n===503||/unavailable|connection|opensearch/i.test(t)?`The audit log engine is unavailable: ${t}`:`The server failed: ${t}`;default:return t}}async function K(e,n){let r=t(),i;try{i=await fetch(`/graphql`,{method:`POST`,headers:{"Content-Type":`application/json`,...r?{Authorization:`Bearer ${r}`}:{}},body:JSON.stringify({query:e.toString(),variables:n??{}})})}catch{throw new Me(Fe(`NETWORK`,``),`NETWORK`)}let a={};try{a=await i.json()}catch{}let o=a.errors?.[0];if(o||!i.ok||!a.data){let e=o?.extensions?.code??(i.status===429?`RATE_LIMITED`:i.status===503?`UNAVAILABLE`:`INTERNAL`),t=o?.message??`HTTP ${i.status}`;throw e===`UNAUTHENTICATED`&&Ne.forEach(e=>e()),new Me(Fe(e,t,i.status,i.headers.get(`Retry-After`)),e,o?.extensions?.field,i.status)}return a.data}var q=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}},Ie=new q(`
    fragment EventRow on Event {
  id
  componentId
  submodule
  eventType
  eventTypeName
  priority
  status
  occurredAt
  actionUser {
    type
    id
    name
    email
  }
  targetUser {
    type
    id
    name
    email
  }
  flag {
    at
  }
}
    `,{fragmentName:`EventRow`}),Le={"\n  query Viewer {\n    viewer {\n      tenant\n      role\n      keyId\n      user { id name email }\n    }\n  }\n":new q(`
    query Viewer {
  viewer {
    tenant
    role
    keyId
    user {
      id
      name
      email
    }
  }
}
    `),"\n  query Components {\n    components {\n      id\n      name\n      loggingEnabled\n      updatedAt\n      version\n    }\n  }\n":new q(`
    query Components {
  components {
    id
    name
    loggingEnabled
    updatedAt
    version
  }
}
    `),"\n  query ComponentActivities($id: ID!) {\n    component(id: $id) {\n      id\n      activities { code name area defaultPriority }\n    }\n  }\n":new q(`
    query ComponentActivities($id: ID!) {
  component(id: $id) {
    id
    activities {
      code
      name
      area
      defaultPriority
    }
  }
}
    `),"\n  fragment EventRow on Event {\n    id\n    componentId\n    submodule\n    eventType\n    eventTypeName\n    priority\n    status\n    occurredAt\n    actionUser { type id name email }\n    targetUser { type id name email }\n    flag { at }\n  }\n":Ie,"\n  query Events($filter: EventFilter!, $first: Int!, $after: String, $order: EventOrder!, $timeZone: String) {\n    events(filter: $filter, first: $first, after: $after, order: $order) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...EventRow } }\n      facets {\n        eventType { value label count }\n        status { value label count }\n        priority { value label count }\n        submodule { value label count }\n        histogram(timeZone: $timeZone) { start end count }\n      }\n    }\n  }\n":new q(`
    query Events($filter: EventFilter!, $first: Int!, $after: String, $order: EventOrder!, $timeZone: String) {
  events(filter: $filter, first: $first, after: $after, order: $order) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...EventRow
      }
    }
    facets {
      eventType {
        value
        label
        count
      }
      status {
        value
        label
        count
      }
      priority {
        value
        label
        count
      }
      submodule {
        value
        label
        count
      }
      histogram(timeZone: $timeZone) {
        start
        end
        count
      }
    }
  }
}
    fragment EventRow on Event {
  id
  componentId
  submodule
  eventType
  eventTypeName
  priority
  status
  occurredAt
  actionUser {
    type
    id
    name
    email
  }
  targetUser {
    type
    id
    name
    email
  }
  flag {
    at
  }
}`),"\n  query Event($id: ID!) {\n    event(id: $id) {\n      id\n      tenant\n      componentId\n      submodule\n      eventType\n      eventTypeName\n      area\n      description\n      priority\n      status\n      occurredAt\n      ingestedAt\n      redirectUrl\n      details\n      actionUser { type id name email ipAddress userAgent }\n      targetUser { type id name email ipAddress accountStatus currentAccountStatus }\n      flag { at note by { type id name email } }\n    }\n  }\n":new q(`
    query Event($id: ID!) {
  event(id: $id) {
    id
    tenant
    componentId
    submodule
    eventType
    eventTypeName
    area
    description
    priority
    status
    occurredAt
    ingestedAt
    redirectUrl
    details
    actionUser {
      type
      id
      name
      email
      ipAddress
      userAgent
    }
    targetUser {
      type
      id
      name
      email
      ipAddress
      accountStatus
      currentAccountStatus
    }
    flag {
      at
      note
      by {
        type
        id
        name
        email
      }
    }
  }
}
    `),"\n  mutation FlagEvents($ids: [ID!]!, $note: String) {\n    flagEvents(ids: $ids, note: $note) { id flag { at } }\n  }\n":new q(`
    mutation FlagEvents($ids: [ID!]!, $note: String) {
  flagEvents(ids: $ids, note: $note) {
    id
    flag {
      at
    }
  }
}
    `),"\n  mutation UnflagEvents($ids: [ID!]!) {\n    unflagEvents(ids: $ids) { id flag { at } }\n  }\n":new q(`
    mutation UnflagEvents($ids: [ID!]!) {
  unflagEvents(ids: $ids) {
    id
    flag {
      at
    }
  }
}
    `),"\n  mutation ExportEvents($filter: EventFilter, $ids: [ID!]) {\n    exportEvents(filter: $filter, ids: $ids) { url expiresAt }\n  }\n":new q(`
    mutation ExportEvents($filter: EventFilter, $ids: [ID!]) {
  exportEvents(filter: $filter, ids: $ids) {
    url
    expiresAt
  }
}
    `),"\n  query Notifications($unreadOnly: Boolean, $first: Int) {\n    notifications(unreadOnly: $unreadOnly, first: $first) {\n      id\n      eventId\n      eventType\n      componentId\n      flaggedAt\n      note\n      readAt\n      flaggedBy { name email id }\n    }\n  }\n":new q(`
    query Notifications($unreadOnly: Boolean, $first: Int) {
  notifications(unreadOnly: $unreadOnly, first: $first) {
    id
    eventId
    eventType
    componentId
    flaggedAt
    note
    readAt
    flaggedBy {
      name
      email
      id
    }
  }
}
    `),"\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n":new q(`
    mutation MarkNotificationsRead($ids: [ID!]!) {
  markNotificationsRead(ids: $ids)
}
    `),"\n  query SavedFilters {\n    savedFilters {\n      id\n      name\n      description\n      updatedAt\n      filter {\n        components eventTypes submodules statuses priorities from to actionUser targetUser flagged text\n      }\n    }\n  }\n":new q(`
    query SavedFilters {
  savedFilters {
    id
    name
    description
    updatedAt
    filter {
      components
      eventTypes
      submodules
      statuses
      priorities
      from
      to
      actionUser
      targetUser
      flagged
      text
    }
  }
}
    `),"\n  mutation SaveFilter($input: SavedFilterInput!) {\n    saveFilter(input: $input) { id name }\n  }\n":new q(`
    mutation SaveFilter($input: SavedFilterInput!) {
  saveFilter(input: $input) {
    id
    name
  }
}
    `),"\n  mutation UpdateSavedFilter($id: ID!, $input: SavedFilterInput!) {\n    updateSavedFilter(id: $id, input: $input) { id name }\n  }\n":new q(`
    mutation UpdateSavedFilter($id: ID!, $input: SavedFilterInput!) {
  updateSavedFilter(id: $id, input: $input) {
    id
    name
  }
}
    `),"\n  mutation DeleteSavedFilter($id: ID!) {\n    deleteSavedFilter(id: $id)\n  }\n":new q(`
    mutation DeleteSavedFilter($id: ID!) {
  deleteSavedFilter(id: $id)
}
    `),"\n  query Component($id: ID!) {\n    component(id: $id) {\n      id\n      name\n      loggingEnabled\n      updatedAt\n      updatedBy { name email }\n      version\n      activities { code name area defaultPriority captured }\n      criteria {\n        activities\n        minPriority\n        loggingPeriod { start end }\n        captureDescription\n        statuses\n        captureIpAddress\n        retention { value unit }\n      }\n      stats { captured suppressed { reason count } }\n    }\n  }\n":new q(`
    query Component($id: ID!) {
  component(id: $id) {
    id
    name
    loggingEnabled
    updatedAt
    updatedBy {
      name
      email
    }
    version
    activities {
      code
      name
      area
      defaultPriority
      captured
    }
    criteria {
      activities
      minPriority
      loggingPeriod {
        start
        end
      }
      captureDescription
      statuses
      captureIpAddress
      retention {
        value
        unit
      }
    }
    stats {
      captured
      suppressed {
        reason
        count
      }
    }
  }
}
    `),"\n  mutation ConfigureComponent($id: ID!, $config: ComponentConfigInput!) {\n    configureComponent(id: $id, config: $config) { id version updatedAt loggingEnabled }\n  }\n":new q(`
    mutation ConfigureComponent($id: ID!, $config: ComponentConfigInput!) {
  configureComponent(id: $id, config: $config) {
    id
    version
    updatedAt
    loggingEnabled
  }
}
    `),"\n  query UserSuggestions($role: UserRole!, $prefix: String!, $first: Int) {\n    userSuggestions(role: $role, prefix: $prefix, first: $first) { id name email type events }\n  }\n":new q(`
    query UserSuggestions($role: UserRole!, $prefix: String!, $first: Int) {
  userSuggestions(role: $role, prefix: $prefix, first: $first) {
    id
    name
    email
    type
    events
  }
}
    `)};function J(e){return Le[e]??{}}var Re=J(`
  query Viewer {
    viewer {
      tenant
      role
      keyId
      user { id name email }
    }
  }
`),ze=J(`
  query Components {
    components {
      id
      name
      loggingEnabled
      updatedAt
      version
    }
  }
`),Be=J(`
  query ComponentActivities($id: ID!) {
    component(id: $id) {
      id
      activities { code name area defaultPriority }
    }
  }
`);J(`
  fragment EventRow on Event {
    id
    componentId
    submodule
    eventType
    eventTypeName
    priority
    status
    occurredAt
    actionUser { type id name email }
    targetUser { type id name email }
    flag { at }
  }
`);var Ve=J(`
  query Events($filter: EventFilter!, $first: Int!, $after: String, $order: EventOrder!, $timeZone: String) {
    events(filter: $filter, first: $first, after: $after, order: $order) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...EventRow } }
      facets {
        eventType { value label count }
        status { value label count }
        priority { value label count }
        submodule { value label count }
        histogram(timeZone: $timeZone) { start end count }
      }
    }
  }
`),He=J(`
  query Event($id: ID!) {
    event(id: $id) {
      id
      tenant
      componentId
      submodule
      eventType
      eventTypeName
      area
      description
      priority
      status
      occurredAt
      ingestedAt
      redirectUrl
      details
      actionUser { type id name email ipAddress userAgent }
      targetUser { type id name email ipAddress accountStatus currentAccountStatus }
      flag { at note by { type id name email } }
    }
  }
`),Ue=J(`
  mutation FlagEvents($ids: [ID!]!, $note: String) {
    flagEvents(ids: $ids, note: $note) { id flag { at } }
  }
`),We=J(`
  mutation UnflagEvents($ids: [ID!]!) {
    unflagEvents(ids: $ids) { id flag { at } }
  }
`),Ge=J(`
  mutation ExportEvents($filter: EventFilter, $ids: [ID!]) {
    exportEvents(filter: $filter, ids: $ids) { url expiresAt }
  }
`),Ke=J(`
  query Notifications($unreadOnly: Boolean, $first: Int) {
    notifications(unreadOnly: $unreadOnly, first: $first) {
      id
      eventId
      eventType
      componentId
      flaggedAt
      note
      readAt
      flaggedBy { name email id }
    }
  }
`),qe=J(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`),Je=J(`
  query SavedFilters {
    savedFilters {
      id
      name
      description
      updatedAt
      filter {
        components eventTypes submodules statuses priorities from to actionUser targetUser flagged text
      }
    }
  }
`),Ye=J(`
  mutation SaveFilter($input: SavedFilterInput!) {
    saveFilter(input: $input) { id name }
  }
`),Xe=J(`
  mutation UpdateSavedFilter($id: ID!, $input: SavedFilterInput!) {
    updateSavedFilter(id: $id, input: $input) { id name }
  }
`),Ze=J(`
  mutation DeleteSavedFilter($id: ID!) {
    deleteSavedFilter(id: $id)
  }
`),Qe=J(`
  query Component($id: ID!) {
    component(id: $id) {
      id
      name
      loggingEnabled
      updatedAt
      updatedBy { name email }
      version
      activities { code name area defaultPriority captured }
      criteria {
        activities
        minPriority
        loggingPeriod { start end }
        captureDescription
        statuses
        captureIpAddress
        retention { value unit }
      }
      stats { captured suppressed { reason count } }
    }
  }
`),$e=J(`
  mutation ConfigureComponent($id: ID!, $config: ComponentConfigInput!) {
    configureComponent(id: $id, config: $config) { id version updatedAt loggingEnabled }
  }
`),et=J(`
  query UserSuggestions($role: UserRole!, $prefix: String!, $first: Int) {
    userSuggestions(role: $role, prefix: $prefix, first: $first) { id name email type events }
  }
`),tt=new Set;function nt(e){e!==location.pathname+location.search&&(history.pushState(null,``,e),tt.forEach(e=>e()))}function rt(){let[e,t]=H(location.pathname);return U(()=>{let e=()=>t(location.pathname);return tt.add(e),addEventListener(`popstate`,e),()=>{tt.delete(e),removeEventListener(`popstate`,e)}},[]),e}function it(e,t){e.button!==0||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey||(e.preventDefault(),nt(t))}var at=Symbol.for(`pv`),ot=0;Array.isArray;function Y(e,t,n,r,a,o){t||={};var s,c,l=t;if(`ref`in l&&typeof e!=`function`)for(c in l={},t)c==`ref`?s=t[c]:l[c]=t[c];var u={type:e,props:l,key:n,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:at,__v:--ot,__i:-1,__u:0};return(a||o)&&(u.__source=a,u.__self=o),i.vnode&&i.vnode(u),u}function X({message:e}){return Y(`div`,{class:`error`,role:`alert`,children:e})}function st({error:e,onSignIn:t}){let[n,r]=H(``);return Y(`main`,{class:`center`,children:Y(`form`,{class:`card signin`,onSubmit:e=>{e.preventDefault(),n.trim()&&t(n.trim())},children:[Y(`h1`,{children:`Audit Logs`}),Y(`p`,{children:[`Sign in with an API key of role viewer or admin (`,Y(`code`,{children:`auditlog keys create`}),` prints one).`]}),e&&Y(X,{message:e}),Y(`label`,{for:`api-key`,children:`API key`}),Y(`input`,{id:`api-key`,type:`password`,autoComplete:`off`,value:n,onInput:e=>r(e.currentTarget.value),required:!0}),Y(`button`,{type:`submit`,class:`primary`,children:`Sign in`}),Y(`p`,{class:`hint`,children:`The key stays in this tab (session storage) and is sent only as an Authorization header.`})]})})}function ct({label:e,icon:t,items:n}){let[r,i]=H(!1),a=we(),o=W(null),s=W(null);return xe(()=>{r&&o.current?.querySelector(`[role=menuitem]`)?.focus()},[r]),U(()=>{if(!r)return;let e=e=>{o.current?.contains(e.target)||i(!1)};return document.addEventListener(`mousedown`,e),()=>document.removeEventListener(`mousedown`,e)},[r]),Y(`div`,{class:`menu`,ref:o,onKeyDown:e=>{let t=Array.from(o.current?.querySelectorAll(`[role=menuitem]`)??[]),n=t.indexOf(document.activeElement);e.key===`Escape`?(e.stopPropagation(),i(!1),s.current?.focus()):e.key===`ArrowDown`||e.key===`ArrowUp`?(e.preventDefault(),t[(n+(e.key===`ArrowDown`?1:t.length-1))%t.length]?.focus()):e.key===`Tab`&&i(!1)},children:[Y(`button`,{ref:s,type:`button`,class:`icon`,"aria-label":e,"aria-haspopup":`menu`,"aria-expanded":r,"aria-controls":r?a:void 0,onClick:e=>{e.stopPropagation(),i(!r)},children:t}),r&&Y(`ul`,{role:`menu`,id:a,"aria-label":e,children:n.map(e=>Y(`li`,{role:`none`,children:Y(`button`,{type:`button`,role:`menuitem`,disabled:e.disabled,onClick:t=>{t.stopPropagation(),i(!1),e.onSelect()},children:e.label})},e.label))})]})}var lt=()=>Y(`svg`,{width:`16`,height:`16`,viewBox:`0 0 16 16`,"aria-hidden":`true`,focusable:`false`,children:[Y(`circle`,{cx:`8`,cy:`3`,r:`1.5`}),Y(`circle`,{cx:`8`,cy:`8`,r:`1.5`}),Y(`circle`,{cx:`8`,cy:`13`,r:`1.5`})]}),ut=()=>Y(`svg`,{width:`16`,height:`16`,viewBox:`0 0 16 16`,"aria-hidden":`true`,focusable:`false`,children:[Y(`circle`,{cx:`3`,cy:`8`,r:`1.5`}),Y(`circle`,{cx:`8`,cy:`8`,r:`1.5`}),Y(`circle`,{cx:`13`,cy:`8`,r:`1.5`})]}),dt=({title:e})=>Y(`svg`,{class:`flag-icon`,width:`14`,height:`14`,viewBox:`0 0 16 16`,role:`img`,"aria-label":e??`Flagged`,children:Y(`path`,{d:`M3 1v14h1.5V9.5h8l-2-3.5 2-3.5h-8V1z`})});function ft(e){let t=document.createElement(`a`);t.href=e,t.download=``,t.rel=`noopener`,document.body.appendChild(t),t.click(),t.remove()}var pt={componentId:``,eventTypes:[],submodules:[],statuses:[],priorities:[],startDate:``,endDate:``,actionUser:``,targetUser:``,flagged:``,text:``};function mt(e,t=0){let[n,r,i]=e.split(`-`).map(Number);return new Date(n,r-1,i+t)}function ht(e){let t=e=>String(e).padStart(2,`0`);return`${e.getFullYear()}-${t(e.getMonth()+1)}-${t(e.getDate())}`}function gt(e){let t={};return e.componentId&&(t.components=[e.componentId]),e.eventTypes.length&&(t.eventTypes=e.eventTypes),e.submodules.length&&(t.submodules=e.submodules),e.statuses.length&&(t.statuses=e.statuses),e.priorities.length&&(t.priorities=e.priorities),e.startDate&&(t.from=mt(e.startDate).toISOString()),e.endDate&&(t.to=mt(e.endDate,1).toISOString()),e.actionUser.trim()&&(t.actionUser=e.actionUser.trim()),e.targetUser.trim()&&(t.targetUser=e.targetUser.trim()),e.flagged&&(t.flagged=e.flagged===`true`),e.text.trim()&&(t.text=e.text.trim()),t}function _t(e){return{componentId:e.components?.[0]??``,eventTypes:e.eventTypes??[],submodules:e.submodules??[],statuses:e.statuses??[],priorities:e.priorities??[],startDate:e.from?ht(new Date(e.from)):``,endDate:e.to?ht(new Date(new Date(e.to).getTime()-1)):``,actionUser:e.actionUser??``,targetUser:e.targetUser??``,flagged:e.flagged==null?``:e.flagged?`true`:`false`,text:e.text??``}}function vt(e){let t={};for(let[n,r]of Object.entries(e))r!=null&&n!==`__typename`&&(t[n]=r);return t}var yt=[`CRITICAL`,`HIGH`,`MEDIUM`,`LOW`],bt=[`SUCCESS`,`FAILED`,`IN_PROGRESS`],xt={CRITICAL:`Critical`,HIGH:`High`,MEDIUM:`Medium`,LOW:`Low`},St={SUCCESS:`Success`,FAILED:`Failed`,IN_PROGRESS:`In progress`},Ct={DASHBOARD:`Dashboard`,BOT:`Bot`,SYSTEM:`System`},wt={ACTIVE:`Active`,TERMINATED:`Terminated`},Tt={DAYS:`Days`,WEEKS:`Weeks`,MONTHS:`Months`,YEARS:`Years`},Et=new Intl.DateTimeFormat(void 0,{dateStyle:`medium`,timeStyle:`medium`}),Dt=new Intl.DateTimeFormat(void 0,{dateStyle:`medium`});function Z(e){return e?Et.format(new Date(e)):``}function Ot(e){return e?Dt.format(new Date(e)):``}function Q(e){return e&&(e.name||e.email||e.id)||``}var kt=150,At=e=>e.id??e.email??e.name??``;function jt(e){let[t,n]=H([]),[r,i]=H(!1),[a,o]=H(-1),s=we(),c=e.value.trim();U(()=>{if(!r||c.length===0){n([]);return}let t=!0,i=setTimeout(()=>{K(et,{role:e.role,prefix:c,first:8}).then(e=>{t&&(n(e.userSuggestions),o(-1))}).catch(()=>t&&n([]))},kt);return()=>{t=!1,clearTimeout(i)}},[c,r,e.role]);let l=t=>{e.onInput(At(t)),i(!1)},u=r&&t.length>0;return Y(`div`,{class:`combo`,children:[Y(`label`,{for:e.id,children:e.label}),Y(`input`,{id:e.id,type:`text`,role:`combobox`,autoComplete:`off`,placeholder:`id, email or name`,"aria-autocomplete":`list`,"aria-expanded":u,"aria-controls":s,"aria-activedescendant":u&&a>=0?`${s}-${a}`:void 0,value:e.value,onInput:t=>{e.onInput(t.currentTarget.value),i(!0)},onBlur:()=>setTimeout(()=>i(!1),150),onKeyDown:e=>{u&&(e.key===`ArrowDown`||e.key===`ArrowUp`?(e.preventDefault(),o(n=>(n+(e.key===`ArrowDown`?1:t.length-1))%t.length)):e.key===`Enter`&&a>=0?(e.preventDefault(),l(t[a])):e.key===`Escape`&&(e.stopPropagation(),i(!1)))}}),u&&Y(`ul`,{role:`listbox`,id:s,"aria-label":`${e.label} suggestions`,children:t.map((e,t)=>Y(`li`,{role:`option`,id:`${s}-${t}`,"aria-selected":t===a,onMouseDown:t=>{t.preventDefault(),l(e)},children:[Y(`span`,{children:e.name||e.email||e.id}),Y(`small`,{children:[e.email&&e.email!==e.name?e.email:null,Ct[e.type],`${e.events.toLocaleString()} events`].filter(Boolean).join(` · `)})]},`${e.type}|${e.id}|${e.name}|${e.email}`))})]})}function Mt(e){return new Map(e?.map(e=>[e.value,e.count])??[])}function Nt(e,t,n){return n?[...e,t]:e.filter(e=>e!==t)}function Pt({n:e}){return Y(`span`,{class:`facet-count`,children:e===void 0?``:`(${e.toLocaleString()})`})}function Ft(e){let{draft:t,setDraft:n,facets:r}=e,i=(e,r)=>n({...t,[e]:r}),[a,o]=H([]),[s,c]=H([]);U(()=>{K(ze).then(e=>o(e.components)).catch(()=>o([]))},[]),U(()=>{if(!t.componentId){c([]);return}let e=!0;return K(Be,{id:t.componentId}).then(t=>e&&c(t.component?.activities??[])).catch(()=>e&&c([])),()=>{e=!1}},[t.componentId]);let l=Mt(r?.eventType),u=Mt(r?.status),d=Mt(r?.priority),f=Mt(r?.submodule),p=t.componentId?s.map(e=>({code:e.code,name:e.name})):(r?.eventType??[]).map(e=>({code:e.value,name:e.label}));for(let e of t.eventTypes)p.some(t=>t.code===e)||p.push({code:e,name:e});return Y(`form`,{class:`filters`,"aria-label":`Filters`,onSubmit:t=>{t.preventDefault(),e.onApply()},children:[Y(`button`,{type:`button`,onClick:e.onStartNew,children:`Start from new`}),Y(`label`,{for:`f-component`,children:`Component ID`}),Y(`select`,{id:`f-component`,value:t.componentId,onChange:e=>n({...t,componentId:e.currentTarget.value,eventTypes:[]}),children:[Y(`option`,{value:``,children:`All modules`}),a.map(e=>Y(`option`,{value:e.id,children:[e.id,` — `,e.name]},e.id))]}),Y(`fieldset`,{children:[Y(`legend`,{children:`Event type`}),Y(`div`,{class:`options scroll`,children:[p.length===0&&Y(`p`,{class:`hint`,children:`Choose a Component ID to list its event types.`}),p.map(e=>Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,name:`eventType`,value:e.code,checked:t.eventTypes.includes(e.code),onChange:n=>i(`eventTypes`,Nt(t.eventTypes,e.code,n.currentTarget.checked))}),Y(`span`,{children:e.name}),` `,Y(Pt,{n:l.get(e.code)??(r?0:void 0)})]},e.code))]})]}),Y(`fieldset`,{children:[Y(`legend`,{children:`Status`}),bt.map(e=>Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,name:`status`,value:e,checked:t.statuses.includes(e),onChange:n=>i(`statuses`,Nt(t.statuses,e,n.currentTarget.checked))}),Y(`span`,{children:St[e]}),` `,Y(Pt,{n:u.get(e)??(r?0:void 0)})]},e))]}),Y(`div`,{class:`dates`,children:[Y(`label`,{children:[`Start date`,Y(`input`,{type:`date`,value:t.startDate,onInput:e=>i(`startDate`,e.currentTarget.value)})]}),Y(`label`,{children:[`End date`,Y(`input`,{type:`date`,value:t.endDate,onInput:e=>i(`endDate`,e.currentTarget.value)})]})]}),Y(`fieldset`,{children:[Y(`legend`,{children:`Priority`}),yt.map(e=>Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,name:`priority`,value:e,checked:t.priorities.includes(e),onChange:n=>i(`priorities`,Nt(t.priorities,e,n.currentTarget.checked))}),Y(`span`,{children:xt[e]}),` `,Y(Pt,{n:d.get(e)??(r?0:void 0)})]},e))]}),(r?.submodule.length??0)>0||t.submodules.length>0?Y(`fieldset`,{children:[Y(`legend`,{children:`Submodule name`}),Y(`div`,{class:`options scroll`,children:[...new Set([...r?.submodule.map(e=>e.value)??[],...t.submodules])].map(e=>Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,name:`submodule`,value:e,checked:t.submodules.includes(e),onChange:n=>i(`submodules`,Nt(t.submodules,e,n.currentTarget.checked))}),Y(`span`,{children:e}),` `,Y(Pt,{n:f.get(e)??0})]},e))})]}):null,Y(jt,{id:`f-action-user`,label:`Action user`,role:`ACTION_USER`,value:t.actionUser,onInput:e=>i(`actionUser`,e)}),Y(jt,{id:`f-target-user`,label:`Target user`,role:`TARGET_USER`,value:t.targetUser,onInput:e=>i(`targetUser`,e)}),Y(`label`,{for:`f-flagged`,children:`Flagged`}),Y(`select`,{id:`f-flagged`,value:t.flagged,onChange:e=>i(`flagged`,e.currentTarget.value),children:[Y(`option`,{value:``,children:`All events`}),Y(`option`,{value:`true`,children:`Flagged only`}),Y(`option`,{value:`false`,children:`Not flagged`})]}),Y(`label`,{for:`f-text`,children:`Full-text search`}),Y(`input`,{id:`f-text`,type:`search`,placeholder:`words, "a phrase", prefix*, -excluded`,value:t.text,onInput:e=>i(`text`,e.currentTarget.value)}),Y(`div`,{class:`actions`,children:[Y(`button`,{type:`submit`,class:`primary`,children:`Apply`}),Y(`button`,{type:`button`,onClick:e.onSave,children:`Save filter`})]})]})}function It(e){let{rows:t,selected:n,setSelected:r}=e,i=t.length>0&&t.every(e=>n.has(e.id)),a=(e,t)=>{let i=new Set(n);t?i.add(e):i.delete(e),r(i)};return Y(`div`,{class:`table-wrap`,children:Y(`table`,{class:`events`,children:[Y(`thead`,{children:Y(`tr`,{children:[Y(`th`,{scope:`col`,class:`check`,children:Y(`input`,{type:`checkbox`,"aria-label":`Select all events of this page`,checked:i,onChange:e=>r(e.currentTarget.checked?new Set(t.map(e=>e.id)):new Set)})}),Y(`th`,{scope:`col`,children:`Event Type`}),Y(`th`,{scope:`col`,children:`Submodule name`}),Y(`th`,{scope:`col`,children:`Priority`}),Y(`th`,{scope:`col`,children:`Action User`}),Y(`th`,{scope:`col`,children:`Target User`}),Y(`th`,{scope:`col`,children:`Status`}),Y(`th`,{scope:`col`,children:`Date`}),Y(`th`,{scope:`col`,children:`Actions`})]})}),Y(`tbody`,{children:[t.length===0&&Y(`tr`,{children:Y(`td`,{colSpan:9,class:`empty`,children:`No events match this filter.`})}),t.map(t=>Y(`tr`,{"data-event-id":t.id,class:n.has(t.id)?`selected`:void 0,onClick:()=>e.onOpen(t.id),children:[Y(`td`,{class:`check`,onClick:e=>e.stopPropagation(),children:Y(`input`,{type:`checkbox`,"aria-label":`Select event ${t.eventTypeName??t.eventType} of ${Z(t.occurredAt)}`,checked:n.has(t.id),onChange:e=>a(t.id,e.currentTarget.checked)})}),Y(`td`,{class:`type`,children:[Y(`button`,{type:`button`,class:`link`,onClick:n=>(n.stopPropagation(),e.onOpen(t.id)),children:t.eventTypeName??t.eventType}),t.flag&&Y(dt,{title:`Flagged`})]}),Y(`td`,{children:t.submodule??``}),Y(`td`,{children:Y(`span`,{class:`badge p-${t.priority.toLowerCase()}`,children:xt[t.priority]})}),Y(`td`,{children:Q(t.actionUser)}),Y(`td`,{children:Q(t.targetUser)}),Y(`td`,{children:Y(`span`,{class:`badge s-${t.status.toLowerCase()}`,children:St[t.status]})}),Y(`td`,{children:Y(`time`,{dateTime:t.occurredAt,children:Z(t.occurredAt)})}),Y(`td`,{onClick:e=>e.stopPropagation(),children:Y(ct,{label:`Actions for ${t.eventTypeName??t.eventType}`,icon:Y(lt,{}),items:[{label:`View event`,onSelect:()=>e.onOpen(t.id)},t.flag?{label:`Unflag event`,onSelect:()=>e.onFlag(t.id,!1)}:{label:`Flag event`,onSelect:()=>e.onFlag(t.id,!0)}]})})]},t.id))]})]})})}var Lt=864e5;function Rt({buckets:e}){if(e.length===0)return null;let t=Math.max(...e.map(e=>e.count)),n=new Date(e[0].end).getTime()-new Date(e[0].start).getTime(),r=new Intl.DateTimeFormat(void 0,n>=Lt?{dateStyle:`medium`}:{dateStyle:`short`,timeStyle:`short`}),i=e[0],a=e[e.length-1],o=new Date(i.start).getTime(),s=new Date(a.end).getTime()-o;return Y(`figure`,{class:`histogram`,"aria-label":`Events over time`,children:[Y(`div`,{class:`bars`,children:e.map(e=>Y(`div`,{class:`bar`,"data-start":e.start,"data-count":e.count,title:`${r.format(new Date(e.start))}: ${e.count.toLocaleString()} events`,style:{left:`${(new Date(e.start).getTime()-o)/s*100}%`,width:`${Math.max(.2,(new Date(e.end).getTime()-new Date(e.start).getTime())/s*100)}%`,height:`${Math.max(2,e.count/t*100)}%`}},e.start))}),Y(`figcaption`,{children:[Y(`span`,{children:r.format(new Date(i.start))}),Y(`span`,{children:[`Events over time (`,Intl.DateTimeFormat().resolvedOptions().timeZone,`), peak `,t.toLocaleString()]}),Y(`span`,{children:r.format(new Date(a.start))})]})]})}function $({label:e,value:t}){return Y(C,{children:[Y(`dt`,{children:e}),Y(`dd`,{children:t||`—`})]})}function zt(e){if(!e)return null;try{let t=new URL(e,location.href);return t.protocol===`http:`||t.protocol===`https:`?t.href:null}catch{return null}}function Bt(e){let[t,n]=H(null),[r,i]=H(null),[a,o]=H(!1),[s,c]=H(0),l=W(null);U(()=>{let t=!0;return K(He,{id:e.id}).then(e=>{t&&(e.event||i(`This event no longer exists (or its retention has passed).`),n(e.event??null))}).catch(e=>t&&i(e.message)),()=>{t=!1}},[e.id,s]),U(()=>{let t=document.activeElement;l.current?.focus();let n=t=>t.key===`Escape`&&!document.querySelector(`dialog[open]`)&&e.onClose();return document.addEventListener(`keydown`,n),()=>{document.removeEventListener(`keydown`,n),t?.isConnected&&t.focus()}},[e.id]);let u=async t=>{o(!0);try{t?await K(Ue,{ids:[e.id]}):await K(We,{ids:[e.id]}),c(e=>e+1),e.onChanged()}catch(e){i(e.message)}finally{o(!1)}},d=zt(t?.redirectUrl),f=t?.details?Object.entries(t.details):[];return Y(`div`,{class:`drawer`,role:`dialog`,"aria-modal":`false`,"aria-labelledby":`drawer-title`,tabIndex:-1,ref:l,children:[Y(`header`,{children:[Y(`h2`,{id:`drawer-title`,children:[t?t.eventTypeName??t.eventType:`Event`,` `,t?.flag&&Y(dt,{title:`Flagged`})]}),Y(`button`,{type:`button`,class:`icon`,"aria-label":`Close event details`,onClick:e.onClose,children:`×`})]}),r&&Y(X,{message:r}),!t&&!r&&Y(`p`,{role:`status`,children:`Loading…`}),t&&Y(`div`,{class:`drawer-body`,children:[Y(`div`,{class:`actions`,children:[Y(`button`,{type:`button`,onClick:()=>e.onExport(t.id),children:`Export Event`}),Y(`button`,{type:`button`,disabled:a,onClick:()=>u(!t.flag),children:t.flag?`Unflag Event`:`Flag Event`}),d&&Y(`a`,{href:d,target:`_blank`,rel:`noopener noreferrer`,children:`View update`})]}),Y(`section`,{"aria-labelledby":`d-meta`,children:[Y(`h3`,{id:`d-meta`,children:`Event metadata`}),Y(`dl`,{children:[Y($,{label:`Event ID`,value:t.id}),Y($,{label:`Ingested`,value:Z(t.ingestedAt)}),Y($,{label:`Component module`,value:t.componentId})]})]}),Y(`section`,{"aria-labelledby":`d-details`,children:[Y(`h3`,{id:`d-details`,children:`Event details`}),Y(`dl`,{children:[Y($,{label:`Submodule name`,value:t.submodule}),Y($,{label:`Event type`,value:t.eventTypeName?`${t.eventTypeName} (${t.eventType})`:t.eventType}),Y($,{label:`Area`,value:t.area}),Y($,{label:`Activity description`,value:t.description}),Y($,{label:`Priority`,value:xt[t.priority]}),Y($,{label:`Status`,value:St[t.status]}),Y($,{label:`Date`,value:Z(t.occurredAt)})]})]}),Y(`section`,{"aria-labelledby":`d-action`,children:[Y(`h3`,{id:`d-action`,children:`Action user`}),Y(`dl`,{children:[Y($,{label:`User type`,value:Ct[t.actionUser.type]}),Y($,{label:`Name`,value:t.actionUser.name}),Y($,{label:`Email`,value:t.actionUser.email}),Y($,{label:`User ID`,value:t.actionUser.id}),Y($,{label:`IP address`,value:t.actionUser.ipAddress}),Y($,{label:`User agent`,value:t.actionUser.userAgent})]})]}),t.targetUser&&Y(`section`,{"aria-labelledby":`d-target`,children:[Y(`h3`,{id:`d-target`,children:`Target user`}),Y(`dl`,{children:[Y($,{label:`User type`,value:Ct[t.targetUser.type]}),Y($,{label:`Name`,value:t.targetUser.name}),Y($,{label:`Email`,value:t.targetUser.email}),Y($,{label:`User ID`,value:t.targetUser.id}),Y($,{label:`Current account status`,value:t.targetUser.currentAccountStatus?wt[t.targetUser.currentAccountStatus]:null}),Y($,{label:`Account status recorded with this event`,value:t.targetUser.accountStatus?wt[t.targetUser.accountStatus]:null})]})]}),t.flag&&Y(`section`,{"aria-labelledby":`d-flag`,children:[Y(`h3`,{id:`d-flag`,children:`Flagging info`}),Y(`dl`,{children:[Y($,{label:`Flagged by`,value:Q(t.flag.by)}),Y($,{label:`Flagged by email`,value:t.flag.by.email}),Y($,{label:`Flagged at`,value:Z(t.flag.at)}),Y($,{label:`Note`,value:t.flag.note})]})]}),Y(`details`,{class:`accordion`,children:[Y(`summary`,{children:`Other Details`}),f.length===0?Y(`p`,{class:`hint`,children:`No additional details.`}):Y(`dl`,{children:f.map(([e,t])=>Y($,{label:e,value:typeof t==`string`?t:JSON.stringify(t)},e))})]})]})]})}function Vt({title:e,onClose:t,children:n}){let r=W(null),i=we();return U(()=>{let e=r.current;e&&!e.open&&e.showModal()},[]),Y(`dialog`,{ref:r,class:`dialog`,"aria-labelledby":i,onClose:t,onCancel:t,children:[Y(`header`,{children:[Y(`h2`,{id:i,children:e}),Y(`button`,{type:`button`,class:`icon`,"aria-label":`Close`,onClick:t,children:`×`})]}),n]})}function Ht(e){return Y(C,{children:[Y(`label`,{for:`sf-name`,children:`Name`}),Y(`input`,{id:`sf-name`,required:!0,maxLength:128,value:e.name,onInput:t=>e.setName(t.currentTarget.value)}),Y(`label`,{for:`sf-description`,children:`Description (optional)`}),Y(`textarea`,{id:`sf-description`,maxLength:1024,value:e.description,onInput:t=>e.setDescription(t.currentTarget.value)})]})}function Ut(e){let[t,n]=H(``),[r,i]=H(``),[a,o]=H(null);return Y(Vt,{title:`Save filter`,onClose:e.onClose,children:Y(`form`,{class:`stack`,onSubmit:async n=>{n.preventDefault();try{await K(Ye,{input:{name:t.trim(),description:r.trim()||null,filter:e.filter}}),e.onSaved(t.trim())}catch(e){o(e.message)}},children:[Y(`p`,{class:`hint`,children:`Saves the filters applied now; only you will see it.`}),a&&Y(X,{message:a}),Y(Ht,{name:t,description:r,setName:n,setDescription:i}),Y(`div`,{class:`actions`,children:[Y(`button`,{type:`submit`,class:`primary`,children:`Save`}),Y(`button`,{type:`button`,onClick:e.onClose,children:`Cancel`})]})]})})}function Wt(e){let[t,n]=H(null),[r,i]=H(null),[a,o]=H(null),[s,c]=H(``),[l,u]=H(``),[d,f]=H(0);U(()=>{K(Je).then(e=>n(e.savedFilters)).catch(e=>i(e.message))},[d]);let p=async e=>{try{await e(),i(null),o(null),f(e=>e+1)}catch(e){i(e.message)}};return Y(Vt,{title:`Saved filters`,onClose:e.onClose,children:[r&&Y(X,{message:r}),!t&&!r&&Y(`p`,{role:`status`,children:`Loading…`}),t&&t.length===0&&Y(`p`,{children:`No saved filters yet: apply filters, then “Save filter”.`}),a?Y(`form`,{class:`stack`,onSubmit:e=>{e.preventDefault(),p(()=>K(Xe,{id:a.id,input:{name:s.trim(),description:l.trim()||null,filter:vt(a.filter)}}))},children:[Y(Ht,{name:s,description:l,setName:c,setDescription:u}),Y(`div`,{class:`actions`,children:[Y(`button`,{type:`submit`,class:`primary`,children:`Save changes`}),Y(`button`,{type:`button`,onClick:()=>o(null),children:`Cancel`})]})]}):Y(`ul`,{class:`saved-list`,children:t?.map(t=>Y(`li`,{"data-saved-filter":t.name,children:[Y(`div`,{children:[Y(`strong`,{children:t.name}),t.description&&Y(`p`,{children:t.description}),Y(`small`,{children:[`Updated `,Z(t.updatedAt)]})]}),Y(`div`,{class:`actions`,children:[Y(`button`,{type:`button`,class:`primary`,"aria-label":`Apply ${t.name}`,onClick:()=>e.onApply(_t(t.filter),vt(t.filter)),children:`Apply`}),Y(`button`,{type:`button`,"aria-label":`Edit ${t.name}`,onClick:()=>{o(t),c(t.name),u(t.description??``)},children:`Edit`}),Y(`button`,{type:`button`,"aria-label":`Delete ${t.name}`,onClick:()=>confirm(`Delete the saved filter “${t.name}”?`)&&p(()=>K(Ze,{id:t.id})),children:`Delete`})]})]},t.id))})]})}var Gt=[25,50,100],Kt=Intl.DateTimeFormat().resolvedOptions().timeZone;function qt({viewer:e}){let[t,n]=H(pt),[r,i]=H({}),[a,o]=H(`NEWEST_FIRST`),[s,c]=H(50),[l,u]=H([null]),[d,f]=H(null),[p,m]=H(!1),[h,g]=H(null),[_,v]=H(null),[y,b]=H(new Set),[x,S]=H(null),[C,w]=H(null),[T,E]=H(0),D=l[l.length-1];U(()=>{let e=!0;return m(!0),K(Ve,{filter:r,first:s,after:D,order:a,timeZone:Kt}).then(t=>{e&&(f(t.events),g(null))}).catch(t=>e&&g(t.message)).finally(()=>e&&m(!1)),()=>{e=!1}},[r,a,s,D,T]);let O=Ce(e=>{i(e),u([null]),b(new Set)},[]),k=async e=>{try{v(await e()),g(null),E(e=>e+1)}catch(e){g(e.message)}},ee=(e,t)=>k(async()=>(t?await K(Ue,{ids:e}):await K(We,{ids:e}),`${t?`Flagged`:`Unflagged`} ${e.length} event${e.length===1?``:`s`}.`)),A=(e,t)=>k(async()=>(ft((await K(Ge,e)).exportEvents.url),`Downloading ${t} as CSV.`)),j=d?.edges.map(e=>e.node)??[];return Y(`main`,{class:`page explore`,children:[Y(`div`,{class:`page-head`,children:[Y(`h1`,{children:`Explore`}),Y(`span`,{class:`spacer`}),Y(`button`,{type:`button`,onClick:()=>w(`saved`),children:`Saved filters`}),Y(ct,{label:`More actions`,icon:Y(ut,{}),items:[{label:`Export Log`,onSelect:()=>A({filter:r},`the filtered audit log`)}]})]}),Y(`div`,{class:`explore-body`,children:[Y(Ft,{draft:t,setDraft:n,facets:d?.facets,onStartNew:()=>{n(pt),O({})},onApply:()=>O(gt(t)),onSave:()=>w(`save`)}),Y(`section`,{class:`results`,"aria-label":`Events`,"aria-busy":p,children:[h&&Y(X,{message:h}),_&&Y(`p`,{class:`notice`,role:`status`,children:_}),d&&Y(Rt,{buckets:d.facets.histogram}),Y(`div`,{class:`table-head`,children:[Y(`span`,{role:`status`,class:`count`,children:p?`Loading…`:d?`${d.totalCount.toLocaleString()} events`:``}),y.size>0&&Y(`span`,{class:`bulk`,children:[Y(`span`,{children:[y.size,` selected`]}),Y(`button`,{type:`button`,onClick:()=>ee([...y],!0).then(()=>b(new Set)),children:`Flag Selected`}),Y(`button`,{type:`button`,onClick:()=>A({ids:[...y]},`${y.size} selected events`),children:`Export Selected`})]}),Y(`span`,{class:`spacer`}),Y(`label`,{children:[`Order`,` `,Y(`select`,{value:a,onChange:e=>{o(e.currentTarget.value),u([null])},children:[Y(`option`,{value:`NEWEST_FIRST`,children:`Newest first`}),Y(`option`,{value:`OLDEST_FIRST`,children:`Oldest first`})]})]})]}),Y(It,{rows:j,selected:y,setSelected:b,onOpen:S,onFlag:(e,t)=>ee([e],t)}),Y(`nav`,{class:`pager`,"aria-label":`Pages`,children:[Y(`label`,{children:[`Rows per page`,` `,Y(`select`,{value:s,onChange:e=>{c(Number(e.currentTarget.value)),u([null])},children:Gt.map(e=>Y(`option`,{value:e,children:e},e))})]}),Y(`button`,{type:`button`,disabled:l.length<=1||p,onClick:()=>u(l.slice(0,-1)),children:`Previous page`}),Y(`span`,{children:[`Page `,l.length]}),Y(`button`,{type:`button`,disabled:!d?.pageInfo.hasNextPage||p,onClick:()=>d?.pageInfo.endCursor&&u([...l,d.pageInfo.endCursor]),children:`Next page`})]})]})]}),x&&Y(Bt,{id:x,onClose:()=>S(null),onChanged:()=>E(e=>e+1),onExport:e=>A({ids:[e]},`the event`)}),C===`save`&&Y(Ut,{filter:r,onClose:()=>w(null),onSaved:e=>{w(null),v(`Saved the filter “${e}”.`)}}),C===`saved`&&Y(Wt,{viewer:e,onClose:()=>w(null),onApply:(e,t)=>{w(null),n(e),O(t)}})]})}function Jt(e){let t=e.criteria;return{loggingEnabled:e.loggingEnabled,activities:t.activities??null,minPriority:t.minPriority??null,loggingPeriod:t.loggingPeriod?{start:t.loggingPeriod.start,end:t.loggingPeriod.end}:null,captureDescription:t.captureDescription,statuses:t.statuses??null,captureIpAddress:t.captureIpAddress,retention:t.retention?{value:t.retention.value,unit:t.retention.unit}:null,version:e.version}}function Yt(e){return e.code===`BAD_USER_INPUT`&&e.field===`config.version`}function Xt(){let[e,t]=H(null),[n,r]=H(null),[i,a]=H(null),[o,s]=H(null),[c,l]=H(0);U(()=>{K(ze).then(e=>t(e.components)).catch(e=>r(e.message))},[c]);let u=async(e,n)=>{a(e.id),s(null),t(t=>t?.map(t=>t.id===e.id?{...t,loggingEnabled:n}:t)??null);try{let t=await K(Qe,{id:e.id});if(!t.component)throw Error(`The component ${e.id} is gone.`);t.component.version===e.version?(await K($e,{id:e.id,config:{...Jt(t.component),loggingEnabled:n}}),r(null),s(`Logging ${n?`enabled`:`disabled`} for ${e.id}.`)):r(`${e.id}'s configuration was changed by someone else since this page loaded; it now shows their version. Toggle again if you still want to.`)}catch(t){let n=t;r(Yt(n)?`${e.id}'s configuration was saved by someone else at the same moment; it now shows their version. Toggle again if you still want to.`:n.message)}finally{a(null),l(e=>e+1)}};return Y(`main`,{class:`page`,children:[Y(`div`,{class:`page-head`,children:Y(`h1`,{children:`Filter Management`})}),Y(`p`,{class:`hint`,children:`Choose which events each module captures. A module whose logging is off shows no new events in Explore.`}),n&&Y(X,{message:n}),o&&Y(`p`,{class:`notice`,role:`status`,children:o}),!e&&!n&&Y(`p`,{role:`status`,children:`Loading…`}),Y(`ul`,{class:`cards`,children:e?.map(e=>Y(`li`,{class:`card component-card`,"data-component":e.id,children:[Y(`h2`,{children:Y(`a`,{href:`/settings/audit-logs/${encodeURIComponent(e.id)}`,onClick:t=>it(t,`/settings/audit-logs/${encodeURIComponent(e.id)}`),children:e.name})}),Y(`dl`,{children:[Y(`dt`,{children:`Component ID`}),Y(`dd`,{children:e.id}),Y(`dt`,{children:`Last updated`}),Y(`dd`,{children:e.updatedAt?Ot(e.updatedAt):`Never`})]}),Y(`label`,{class:`switch`,children:[Y(`input`,{type:`checkbox`,role:`switch`,checked:e.loggingEnabled,disabled:i===e.id,onChange:t=>u(e,t.currentTarget.checked)}),Y(`span`,{children:`Enable logging`})]})]},e.id))})]})}var Zt={DAYS:1826,WEEKS:260,MONTHS:60,YEARS:5};function Qt(e){let t=new Date(e),n=e=>String(e).padStart(2,`0`);return`${t.getFullYear()}-${n(t.getMonth()+1)}-${n(t.getDate())}`}function $t(e){let t=e.criteria;return{loggingEnabled:e.loggingEnabled,activities:t.activities??null,priorityOn:t.minPriority!=null,minPriority:t.minPriority??`HIGH`,periodOn:t.loggingPeriod!=null,periodStart:t.loggingPeriod?Qt(t.loggingPeriod.start):``,periodEnd:t.loggingPeriod?Qt(t.loggingPeriod.end):``,captureDescription:t.captureDescription,statusOn:t.statuses!=null,statuses:t.statuses??[`FAILED`],captureIpAddress:t.captureIpAddress,retentionOn:t.retention!=null,retentionValue:String(t.retention?.value??1),retentionUnit:t.retention?.unit??`YEARS`}}function en(e,t){let[n,r,i]=e.periodStart.split(`-`).map(Number),[a,o,s]=e.periodEnd.split(`-`).map(Number);return{loggingEnabled:e.loggingEnabled,activities:e.activities,minPriority:e.priorityOn?e.minPriority:null,loggingPeriod:e.periodOn?{start:new Date(n,r-1,i).toISOString(),end:new Date(new Date(a,o-1,s+1).getTime()-1).toISOString()}:null,captureDescription:e.captureDescription,statuses:e.statusOn?e.statuses:null,captureIpAddress:e.captureIpAddress,retention:e.retentionOn?{value:Number(e.retentionValue),unit:e.retentionUnit}:null,version:t}}function tn({id:e}){let[t,n]=H(null),[r,i]=H(null),[a,o]=H(null),[s,c]=H(null),[l,u]=H(null),d=()=>K(Qe,{id:e}).then(t=>{if(!t.component)throw Error(`There is no module ${e}.`);return t.component});if(U(()=>{d().then(e=>{n(e),i($t(e))}).catch(e=>o(e.message))},[e]),!t||!r)return Y(`main`,{class:`page`,children:a?Y(X,{message:a}):Y(`p`,{role:`status`,children:`Loading…`})});let f=(e,t)=>{i({...r,[e]:t}),c(null)},p=e=>r.activities==null||r.activities.includes(e),m=(e,n)=>{let i=t.activities.map(e=>e.code),a=new Set(r.activities??i);n?a.add(e):a.delete(e),f(`activities`,a.size===i.length?null:i.filter(e=>a.has(e)))},h=new Map;for(let e of t.activities){let t=e.area??`Other`;h.set(t,[...h.get(t)??[],e])}let g=async t=>{c(null);try{await K($e,{id:e,config:en(r,t)});let a=await d();n(a),i($t(a)),u(null),o(null),c(`Saved at ${Z(a.updatedAt)}.`)}catch(e){let t=e;Yt(t)?(u(await d().catch(()=>null)),o(null)):o(t.message),c(null)}},_=r.retentionOn&&Number(r.retentionValue)>Zt[r.retentionUnit];return Y(`main`,{class:`page settings`,children:[Y(`p`,{children:Y(`a`,{href:`/settings/audit-logs`,onClick:e=>it(e,`/settings/audit-logs`),children:`← Filter Management`})}),Y(`div`,{class:`page-head`,children:Y(`h1`,{children:[t.name,` `,Y(`small`,{children:[`(`,t.id,`)`]})]})}),Y(`p`,{class:`hint`,children:[`Last updated `,t.updatedAt?`${Ot(t.updatedAt)} by ${Q(t.updatedBy)}`:`never`,` · captured since:`,` `,t.stats.captured.toLocaleString(),t.stats.suppressed.map(e=>` · ${e.reason.toLowerCase().replace(/_/g,` `)}: ${e.count.toLocaleString()}`)]}),Y(`form`,{class:`stack`,onSubmit:e=>{e.preventDefault(),g(t.version)},children:[a&&Y(X,{message:a}),l&&Y(`div`,{class:`error`,role:`alert`,children:[Y(`p`,{children:[`Someone else (`,Q(l.updatedBy)||`another admin`,`) saved this module's configuration at `,Z(l.updatedAt),`, after you opened it. Nothing of yours was saved, and your changes are still below.`]}),Y(`div`,{class:`actions`,children:[Y(`button`,{type:`button`,onClick:()=>g(l.version),children:`Save mine over theirs`}),Y(`button`,{type:`button`,onClick:()=>{n(l),i($t(l)),u(null)},children:`Discard mine, show theirs`})]})]}),s&&Y(`p`,{class:`notice`,role:`status`,children:s}),Y(`label`,{class:`switch`,children:[Y(`input`,{type:`checkbox`,role:`switch`,checked:r.loggingEnabled,onChange:e=>f(`loggingEnabled`,e.currentTarget.checked)}),Y(`span`,{children:`Enable logging`})]}),Y(`fieldset`,{children:[Y(`legend`,{children:`Activities to log`}),Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.activities==null,onChange:e=>f(`activities`,e.currentTarget.checked?null:[])}),Y(`span`,{children:`All activities, including ones added later`})]}),Y(`div`,{class:`areas`,children:[...h].map(([e,t])=>Y(`fieldset`,{class:`area`,children:[Y(`legend`,{children:e}),t.map(e=>Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,value:e.code,checked:p(e.code),onChange:t=>m(e.code,t.currentTarget.checked)}),Y(`span`,{children:e.name}),` `,Y(`span`,{class:`badge p-${e.defaultPriority.toLowerCase()}`,children:xt[e.defaultPriority]})]},e.code))]},e))})]}),Y(`fieldset`,{children:[Y(`legend`,{children:`Additional criteria to be recorded for the above events`}),Y(`div`,{class:`criterion`,children:[Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.priorityOn,onChange:e=>f(`priorityOn`,e.currentTarget.checked)}),Y(`span`,{children:`Priority`})]}),r.priorityOn&&Y(`label`,{children:[`At or above`,` `,Y(`select`,{value:r.minPriority,onChange:e=>f(`minPriority`,e.currentTarget.value),children:yt.map(e=>Y(`option`,{value:e,children:xt[e]},e))})]})]}),Y(`div`,{class:`criterion`,children:[Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.periodOn,onChange:e=>f(`periodOn`,e.currentTarget.checked)}),Y(`span`,{children:`Logging period`})]}),r.periodOn&&Y(C,{children:[Y(`label`,{children:[`From `,Y(`input`,{type:`date`,required:!0,value:r.periodStart,onInput:e=>f(`periodStart`,e.currentTarget.value)})]}),Y(`label`,{children:[`To `,Y(`input`,{type:`date`,required:!0,value:r.periodEnd,onInput:e=>f(`periodEnd`,e.currentTarget.value)})]})]})]}),Y(`div`,{class:`criterion`,children:Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.captureDescription,onChange:e=>f(`captureDescription`,e.currentTarget.checked)}),Y(`span`,{children:`Activity description`})]})}),Y(`div`,{class:`criterion`,children:[Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.statusOn,onChange:e=>f(`statusOn`,e.currentTarget.checked)}),Y(`span`,{children:`Status`})]}),r.statusOn&&bt.map(e=>Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.statuses.includes(e),onChange:t=>f(`statuses`,t.currentTarget.checked?[...r.statuses,e]:r.statuses.filter(t=>t!==e))}),Y(`span`,{children:St[e]})]},e))]}),Y(`div`,{class:`criterion`,children:Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.captureIpAddress,onChange:e=>f(`captureIpAddress`,e.currentTarget.checked)}),Y(`span`,{children:`IP address`})]})}),Y(`div`,{class:`criterion`,children:[Y(`label`,{class:`option`,children:[Y(`input`,{type:`checkbox`,checked:r.retentionOn,onChange:e=>f(`retentionOn`,e.currentTarget.checked)}),Y(`span`,{children:`Automatically expires after`})]}),r.retentionOn&&Y(C,{children:[Y(`input`,{type:`number`,"aria-label":`Expires after how many`,min:1,max:Zt[r.retentionUnit],required:!0,value:r.retentionValue,onInput:e=>f(`retentionValue`,e.currentTarget.value)}),Y(`select`,{"aria-label":`Unit`,value:r.retentionUnit,onChange:e=>f(`retentionUnit`,e.currentTarget.value),children:Object.keys(Tt).map(e=>Y(`option`,{value:e,children:Tt[e]},e))}),_&&Y(`span`,{class:`field-error`,children:[`At most 5 years (`,Zt[r.retentionUnit],` `,Tt[r.retentionUnit].toLowerCase(),`).`]})]})]})]}),Y(`div`,{class:`actions`,children:[Y(`button`,{type:`submit`,class:`primary`,disabled:_,children:`Save`}),Y(`button`,{type:`button`,onClick:()=>(i($t(t)),u(null),o(null)),children:`Reset`})]})]})]})}var nn=3e4;function rn(){let[e,t]=H([]),[n,r]=H(null),[i,a]=H(!1),[o,s]=H(null),c=W(null),l=()=>K(Ke,{unreadOnly:!0,first:100}).then(e=>t(e.notifications)).catch(()=>void 0);U(()=>{l();let e=setInterval(l,nn);return()=>clearInterval(e)},[]),U(()=>{if(!i)return;K(Ke,{unreadOnly:!1,first:20}).then(e=>r(e.notifications)).catch(e=>s(e.message));let e=e=>!c.current?.contains(e.target)&&a(!1);return document.addEventListener(`mousedown`,e),()=>document.removeEventListener(`mousedown`,e)},[i,e.length]);let u=async e=>{try{await K(qe,{ids:e}),await l()}catch(e){s(e.message)}},d=e.length;return Y(`div`,{class:`bell`,ref:c,onKeyDown:e=>e.key===`Escape`&&a(!1),children:[Y(`button`,{type:`button`,class:`icon`,"aria-label":`Notifications: ${d>=100?`100 or more`:d} unread`,"aria-expanded":i,onClick:()=>a(!i),children:[Y(`svg`,{width:`18`,height:`18`,viewBox:`0 0 16 16`,"aria-hidden":`true`,focusable:`false`,children:Y(`path`,{d:`M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1H7v1.1A5 5 0 0 0 3 7v4l-1.5 1.5V13h13v-.5z`})}),d>0&&Y(`span`,{class:`unread`,children:d>=100?`99+`:d})]}),i&&Y(`div`,{class:`popover`,role:`region`,"aria-label":`Notifications`,children:[Y(`header`,{children:[Y(`strong`,{children:`Your flagged actions`}),d>0&&Y(`button`,{type:`button`,onClick:()=>u(e.map(e=>e.id)),children:`Mark all read`})]}),o&&Y(`p`,{role:`alert`,children:o}),n?.length===0&&Y(`p`,{children:`None of your actions has been flagged.`}),Y(`ul`,{children:n?.map(t=>{let n=!t.readAt&&e.some(e=>e.id===t.id);return Y(`li`,{class:n?`unread-item`:void 0,"data-event-id":t.eventId,children:[Y(`p`,{children:[Q(t.flaggedBy),` flagged your `,t.componentId,` event `,Y(`code`,{children:t.eventType}),t.note?`: “${t.note}”`:``]}),Y(`small`,{children:[Z(t.flaggedAt),` · event `,t.eventId]}),n&&Y(`button`,{type:`button`,onClick:()=>u([t.id]),children:`Mark read`})]},t.id)})})]})]})}function an(){let[i,a]=H(t()),[o,s]=H(null),[c,l]=H(null),u=rt(),d=Ce(e=>{r(),a(null),s(null),l(e??null)},[]);if(U(()=>{let n=()=>{e()&&(s(null),l(null),a(t()))};return addEventListener(`hashchange`,n),()=>removeEventListener(`hashchange`,n)},[]),U(()=>Pe(()=>d(`Your API key was not accepted: it is unknown, revoked or expired. Sign in with a valid key.`)),[d]),U(()=>{if(!i)return;let e=!0;return K(Re).then(t=>{e&&(t.viewer.role===`emitter`?d(`This key is an emitter key: it may only send events. Sign in with a viewer or admin key.`):(s(t.viewer),l(null)))}).catch(t=>e&&l(t.message)),()=>{e=!1}},[i,d]),U(()=>{(u===`/`||u===``)&&nt(`/explore`)},[u]),!i)return Y(st,{error:c,onSignIn:e=>{n(e),l(null),a(e)}});if(!o)return Y(`main`,{class:`center`,children:c?Y(`div`,{children:[Y(X,{message:c}),Y(`button`,{type:`button`,onClick:()=>d(),children:`Sign out`})]}):Y(`p`,{role:`status`,children:`Signing in…`})});let f=o.role===`admin`,p=u.startsWith(`/settings/audit-logs`),m=p?decodeURIComponent(u.slice(21)):``;return Y(`div`,{class:`app`,children:[Y(`header`,{class:`topbar`,children:[Y(`span`,{class:`brand`,children:`Audit Logs`}),Y(`nav`,{"aria-label":`Main`,children:[Y(`a`,{href:`/explore`,"aria-current":p?void 0:`page`,onClick:e=>it(e,`/explore`),children:`Explore`}),f&&Y(`a`,{href:`/settings/audit-logs`,"aria-current":p?`page`:void 0,onClick:e=>it(e,`/settings/audit-logs`),children:`Settings → Audit Logs`})]}),Y(`span`,{class:`spacer`}),Y(rn,{}),Y(`span`,{class:`who`,title:`${o.role} · tenant ${o.tenant}`,children:[o.user.name||o.user.email||o.user.id,` `,Y(`small`,{children:[`(`,o.role,`)`]})]}),Y(`button`,{type:`button`,onClick:()=>d(),children:`Sign out`})]}),p&&!f?Y(`main`,{class:`page`,children:Y(X,{message:`Filter Management is for admins: your key's role is viewer.`})}):p&&m?Y(tn,{id:m}):p?Y(Xt,{}):Y(qt,{viewer:o})]})}e(),ce(Y(an,{}),document.getElementById(`app`));