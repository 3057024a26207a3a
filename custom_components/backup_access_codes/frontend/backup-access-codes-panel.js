var U=globalThis,I=U.ShadowRoot&&(U.ShadyCSS===void 0||U.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,B=Symbol(),rt=new WeakMap,S=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==B)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(I&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=rt.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&rt.set(t,e))}return e}toString(){return this.cssText}},ot=a=>new S(typeof a=="string"?a:a+"",void 0,B),j=(a,...e)=>{let t=a.length===1?a[0]:e.reduce((s,i,n)=>s+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+a[n+1],a[0]);return new S(t,a,B)},dt=(a,e)=>{if(I)a.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),i=U.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=t.cssText,a.appendChild(s)}},q=I?a=>a:a=>a instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return ot(t)})(a):a;var{is:Ot,defineProperty:Ht,getOwnPropertyDescriptor:Nt,getOwnPropertyNames:Ut,getOwnPropertySymbols:It,getPrototypeOf:jt}=Object,G=globalThis,lt=G.trustedTypes,Gt=lt?lt.emptyScript:"",Wt=G.reactiveElementPolyfillSupport,T=(a,e)=>a,V={toAttribute(a,e){switch(e){case Boolean:a=a?Gt:null;break;case Object:case Array:a=a==null?a:JSON.stringify(a)}return a},fromAttribute(a,e){let t=a;switch(e){case Boolean:t=a!==null;break;case Number:t=a===null?null:Number(a);break;case Object:case Array:try{t=JSON.parse(a)}catch{t=null}}return t}},ht=(a,e)=>!Ot(a,e),ct={attribute:!0,type:String,converter:V,reflect:!1,useDefault:!1,hasChanged:ht};Symbol.metadata??=Symbol("metadata"),G.litPropertyMetadata??=new WeakMap;var v=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=ct){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(e,s,t);i!==void 0&&Ht(this.prototype,e,i)}}static getPropertyDescriptor(e,t,s){let{get:i,set:n}=Nt(this.prototype,e)??{get(){return this[t]},set(r){this[t]=r}};return{get:i,set(r){let h=i?.call(this);n?.call(this,r),this.requestUpdate(e,h,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??ct}static _$Ei(){if(this.hasOwnProperty(T("elementProperties")))return;let e=jt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(T("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(T("properties"))){let t=this.properties,s=[...Ut(t),...It(t)];for(let i of s)this.createProperty(i,t[i])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,i]of t)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let i=this._$Eu(t,s);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let i of s)t.unshift(q(i))}else e!==void 0&&t.push(q(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return dt(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),i=this.constructor._$Eu(e,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:V).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,i=s._$Eh.get(e);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),r=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:V;this._$Em=i;let h=r.fromAttribute(t,n.type);this[i]=h??this._$Ej?.get(i)??h,this._$Em=null}}requestUpdate(e,t,s,i=!1,n){if(e!==void 0){let r=this.constructor;if(i===!1&&(n=this[e]),s??=r.getPropertyOptions(e),!((s.hasChanged??ht)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(r._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:i,wrapped:n},r){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,r??t??this[e]),n!==!0||r!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),i===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:r}=n,h=this[i];r!==!0||this._$AL.has(i)||h===void 0||this.C(i,void 0,n,h)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};v.elementStyles=[],v.shadowRootOptions={mode:"open"},v[T("elementProperties")]=new Map,v[T("finalized")]=new Map,Wt?.({ReactiveElement:v}),(G.reactiveElementVersions??=[]).push("2.1.2");var tt=globalThis,pt=a=>a,W=tt.trustedTypes,ut=W?W.createPolicy("lit-html",{createHTML:a=>a}):void 0,$t="$lit$",$=`lit$${Math.random().toFixed(9).slice(2)}$`,yt="?"+$,Ft=`<${yt}>`,w=document,P=()=>w.createComment(""),D=a=>a===null||typeof a!="object"&&typeof a!="function",et=Array.isArray,Bt=a=>et(a)||typeof a?.[Symbol.iterator]=="function",K=`[ 	
\f\r]`,C=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,_t=/-->/g,mt=/>/g,b=RegExp(`>|${K}(?:([^\\s"'>=/]+)(${K}*=${K}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),gt=/'/g,ft=/"/g,bt=/^(?:script|style|textarea|title)$/i,st=a=>(e,...t)=>({_$litType$:a,strings:e,values:t}),d=st(1),ae=st(2),ne=st(3),k=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),vt=new WeakMap,x=w.createTreeWalker(w,129);function xt(a,e){if(!et(a)||!a.hasOwnProperty("raw"))throw Error("invalid template strings array");return ut!==void 0?ut.createHTML(e):e}var qt=(a,e)=>{let t=a.length-1,s=[],i,n=e===2?"<svg>":e===3?"<math>":"",r=C;for(let h=0;h<t;h++){let o=a[h],c,u,p=-1,g=0;for(;g<o.length&&(r.lastIndex=g,u=r.exec(o),u!==null);)g=r.lastIndex,r===C?u[1]==="!--"?r=_t:u[1]!==void 0?r=mt:u[2]!==void 0?(bt.test(u[2])&&(i=RegExp("</"+u[2],"g")),r=b):u[3]!==void 0&&(r=b):r===b?u[0]===">"?(r=i??C,p=-1):u[1]===void 0?p=-2:(p=r.lastIndex-u[2].length,c=u[1],r=u[3]===void 0?b:u[3]==='"'?ft:gt):r===ft||r===gt?r=b:r===_t||r===mt?r=C:(r=b,i=void 0);let _=r===b&&a[h+1].startsWith("/>")?" ":"";n+=r===C?o+Ft:p>=0?(s.push(c),o.slice(0,p)+$t+o.slice(p)+$+_):o+$+(p===-2?h:_)}return[xt(a,n+(a[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},z=class a{constructor({strings:e,_$litType$:t},s){let i;this.parts=[];let n=0,r=0,h=e.length-1,o=this.parts,[c,u]=qt(e,t);if(this.el=a.createElement(c,s),x.currentNode=this.el.content,t===2||t===3){let p=this.el.content.firstChild;p.replaceWith(...p.childNodes)}for(;(i=x.nextNode())!==null&&o.length<h;){if(i.nodeType===1){if(i.hasAttributes())for(let p of i.getAttributeNames())if(p.endsWith($t)){let g=u[r++],_=i.getAttribute(p).split($),N=/([.?@])?(.*)/.exec(g);o.push({type:1,index:n,name:N[2],strings:_,ctor:N[1]==="."?J:N[1]==="?"?Z:N[1]==="@"?Q:E}),i.removeAttribute(p)}else p.startsWith($)&&(o.push({type:6,index:n}),i.removeAttribute(p));if(bt.test(i.tagName)){let p=i.textContent.split($),g=p.length-1;if(g>0){i.textContent=W?W.emptyScript:"";for(let _=0;_<g;_++)i.append(p[_],P()),x.nextNode(),o.push({type:2,index:++n});i.append(p[g],P())}}}else if(i.nodeType===8)if(i.data===yt)o.push({type:2,index:n});else{let p=-1;for(;(p=i.data.indexOf($,p+1))!==-1;)o.push({type:7,index:n}),p+=$.length-1}n++}}static createElement(e,t){let s=w.createElement("template");return s.innerHTML=e,s}};function A(a,e,t=a,s){if(e===k)return e;let i=s!==void 0?t._$Co?.[s]:t._$Cl,n=D(e)?void 0:e._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(a),i._$AT(a,t,s)),s!==void 0?(t._$Co??=[])[s]=i:t._$Cl=i),i!==void 0&&(e=A(a,i._$AS(a,e.values),i,s)),e}var Y=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,i=(e?.creationScope??w).importNode(t,!0);x.currentNode=i;let n=x.nextNode(),r=0,h=0,o=s[0];for(;o!==void 0;){if(r===o.index){let c;o.type===2?c=new R(n,n.nextSibling,this,e):o.type===1?c=new o.ctor(n,o.name,o.strings,this,e):o.type===6&&(c=new X(n,this,e)),this._$AV.push(c),o=s[++h]}r!==o?.index&&(n=x.nextNode(),r++)}return x.currentNode=w,i}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},R=class a{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,i){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=A(this,e,t),D(e)?e===l||e==null||e===""?(this._$AH!==l&&this._$AR(),this._$AH=l):e!==this._$AH&&e!==k&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Bt(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==l&&D(this._$AH)?this._$AA.nextSibling.data=e:this.T(w.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,i=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=z.createElement(xt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(t);else{let n=new Y(i,this),r=n.u(this.options);n.p(t),this.T(r),this._$AH=n}}_$AC(e){let t=vt.get(e.strings);return t===void 0&&vt.set(e.strings,t=new z(e)),t}k(e){et(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,i=0;for(let n of e)i===t.length?t.push(s=new a(this.O(P()),this.O(P()),this,this.options)):s=t[i],s._$AI(n),i++;i<t.length&&(this._$AR(s&&s._$AB.nextSibling,i),t.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=pt(e).nextSibling;pt(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},E=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,i,n){this.type=1,this._$AH=l,this._$AN=void 0,this.element=e,this.name=t,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=l}_$AI(e,t=this,s,i){let n=this.strings,r=!1;if(n===void 0)e=A(this,e,t,0),r=!D(e)||e!==this._$AH&&e!==k,r&&(this._$AH=e);else{let h=e,o,c;for(e=n[0],o=0;o<n.length-1;o++)c=A(this,h[s+o],t,o),c===k&&(c=this._$AH[o]),r||=!D(c)||c!==this._$AH[o],c===l?e=l:e!==l&&(e+=(c??"")+n[o+1]),this._$AH[o]=c}r&&!i&&this.j(e)}j(e){e===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},J=class extends E{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===l?void 0:e}},Z=class extends E{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==l)}},Q=class extends E{constructor(e,t,s,i,n){super(e,t,s,i,n),this.type=5}_$AI(e,t=this){if((e=A(this,e,t,0)??l)===k)return;let s=this._$AH,i=e===l&&s!==l||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==l&&(s===l||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},X=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){A(this,e)}};var Vt=tt.litHtmlPolyfillSupport;Vt?.(z,R),(tt.litHtmlVersions??=[]).push("3.3.3");var wt=(a,e,t)=>{let s=t?.renderBefore??e,i=s._$litPart$;if(i===void 0){let n=t?.renderBefore??null;s._$litPart$=i=new R(e.insertBefore(P(),n),n,void 0,t??{})}return i._$AI(a),i};var it=globalThis,y=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=wt(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return k}};y._$litElement$=!0,y.finalized=!0,it.litElementHydrateSupport?.({LitElement:y});var Kt=it.litElementPolyfillSupport;Kt?.({LitElement:y});(it.litElementVersions??=[]).push("4.2.2");var m="backup_access_codes";function kt(a,e){let t=e.full?new Map:new Map(a);for(let s of e.locks)t.set(s.entry_id,s);for(let s of e.removed??[])t.delete(s);return t}function Yt(a,e){return a.starts_at<e.starts_at?-1:a.starts_at>e.starts_at?1:a.access_grant_id<e.access_grant_id?-1:1}function At(a){let e=new Map;for(let t of a.values())for(let{lock:s,...i}of t.grants){let n=e.get(i.access_grant_id)??{...i,locks:[]};n.locks.push(s),e.set(i.access_grant_id,n)}return[...e.values()].sort(Yt)}function Et(a){let e=new Map;for(let t of a.values())for(let{lock:s,...i}of t.past){let n=e.get(i.access_grant_id)??{...i,locks:[]};n.locks.push(s),e.set(i.access_grant_id,n)}return[...e.values()].sort((t,s)=>t.ends_at<s.ends_at?1:t.ends_at>s.ends_at?-1:0)}function St(a){return a.filter(e=>e.locks.some(t=>t.status==="issue_failed"))}function Tt(a){return[...a.values()].filter(e=>!e.online||e.pool.empty||e.pool.partial||e.pool.many_active)}var Ct=j`
  :host {
    display: block;
    min-height: 100vh;
    background: var(--primary-background-color);
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, Roboto, sans-serif);
  }
  .toolbar {
    position: sticky;
    top: 0;
    z-index: 4;
    display: flex;
    align-items: center;
    gap: 8px;
    height: var(--header-height, 56px);
    padding: 0 12px;
    box-sizing: border-box;
    background: var(--app-header-background-color, var(--primary-color));
    color: var(--app-header-text-color, var(--text-primary-color));
    border-bottom: var(--app-header-border-bottom, none);
  }
  .main-title {
    flex: 1;
    font-size: var(--ha-font-size-xl, 20px);
    margin-inline-start: 8px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .content {
    max-width: 1440px;
    margin: 0 auto;
    padding: 16px;
    box-sizing: border-box;
  }
  h2 {
    font-size: var(--ha-font-size-l, 18px);
    font-weight: var(--ha-font-weight-medium, 500);
    margin: 24px 4px 8px;
  }
  ha-alert {
    display: block;
    margin-bottom: 8px;
  }
  .locks {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
    gap: 12px;
  }
  .lock-card {
    display: flex;
    flex-direction: column;
  }
  .lock-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 16px 16px 0;
    font-size: var(--ha-font-size-l, 18px);
  }
  .lock-head .name {
    flex: 1 1 40%;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 10px;
    border-radius: 12px;
    font-size: var(--ha-font-size-s, 12px);
    line-height: 20px;
    white-space: nowrap;
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
  }
  .chip ha-icon {
    --mdc-icon-size: 16px;
  }
  .chip.online {
    background: rgba(var(--rgb-success-color, 67, 160, 71), 0.2);
  }
  .chip.offline,
  .chip.s-issue_failed {
    background: rgba(var(--rgb-error-color, 219, 68, 55), 0.2);
  }
  .chip.s-backup_issued {
    background: rgba(var(--rgb-warning-color, 255, 166, 0), 0.25);
  }
  .chip.s-programmed,
  .chip.s-issued {
    background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.18);
  }
  .lock-body {
    padding: 12px 16px;
    flex: 1;
  }
  .counts {
    display: grid;
    grid-template-columns: repeat(4, 1fr);
    gap: 8px;
    text-align: center;
    margin-bottom: 12px;
  }
  .count {
    padding: 8px 4px;
    border-radius: var(--ha-border-radius-md, 8px);
    background: var(--secondary-background-color);
  }
  .count .number {
    font-size: var(--ha-font-size-2xl, 24px);
    line-height: 1.2;
  }
  .count .label {
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
  }
  .warning {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 4px 0;
    font-size: var(--ha-font-size-m, 14px);
  }
  .warning.error ha-icon {
    color: var(--error-color);
  }
  .warning.warn ha-icon {
    color: var(--warning-color);
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 8px 0 0;
    font-size: var(--ha-font-size-m, 14px);
  }
  dt {
    color: var(--secondary-text-color);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .card-actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    padding: 8px;
    border-top: 1px solid var(--divider-color);
  }
  .timeline {
    overflow: hidden;
  }
  .days,
  .grant-head {
    display: grid;
    grid-template-columns: minmax(220px, 32%) 1fr;
  }
  .days {
    background: var(--card-background-color, var(--ha-card-background));
    border-bottom: 1px solid var(--divider-color);
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
  }
  .day-labels {
    display: grid;
    grid-template-columns: repeat(15, 1fr);
    /* The labels follow the width the days get, not the window's: see the queries below. */
    container-type: inline-size;
  }
  .day-labels > span {
    display: flex;
    flex-direction: column;
    align-items: center;
    padding: 4px 0;
    line-height: 1.35;
    border-inline-start: 1px solid var(--divider-color);
    overflow: hidden;
    white-space: nowrap;
  }
  .day-labels span.today {
    color: var(--primary-color);
    font-weight: var(--ha-font-weight-bold, 600);
  }
  /* The weekday over the day: "Wed" from 30 px a day, "W" below; today says so from 44 px. */
  .day-labels .letter,
  .day-labels .today-word {
    display: none;
  }
  @container (max-width: 449px) {
    .day-labels .weekday {
      display: none;
    }
    .day-labels .letter {
      display: inline;
    }
  }
  @container (min-width: 660px) {
    .day-labels .today .weekday {
      display: none;
    }
    .day-labels .today .today-word {
      display: inline;
    }
  }
  .grant {
    border-bottom: 1px solid var(--divider-color);
    /* A thousand stays: rows out of view are neither laid out nor painted. */
    content-visibility: auto;
    contain-intrinsic-size: auto 80px;
  }
  .lock-card {
    content-visibility: auto;
    contain-intrinsic-size: auto 300px;
  }
  .grant:last-child {
    border-bottom: none;
  }
  .grant-head {
    width: 100%;
    border: none;
    background: none;
    color: inherit;
    font: inherit;
    text-align: start;
    padding: 0;
    cursor: pointer;
  }
  .grant-head:hover,
  .grant-head:focus-visible {
    background: var(--secondary-background-color);
    outline: none;
  }
  .who {
    padding: 10px 12px 10px 16px;
    min-width: 0;
  }
  .who .name {
    font-weight: var(--ha-font-weight-medium, 500);
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .who .name ha-icon {
    --mdc-icon-size: 18px;
    color: var(--secondary-text-color);
  }
  .when {
    color: var(--secondary-text-color);
    font-size: var(--ha-font-size-s, 12px);
    margin: 2px 0 4px;
    text-wrap: balance; /* check-in and check-out on a line each, not a lone "PM" */
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
  }
  .bar-area {
    position: relative;
    min-height: 44px;
    background-image: linear-gradient(to right, var(--divider-color) 1px, transparent 1px);
    background-size: calc(100% / 15) 100%;
  }
  .bar {
    position: absolute;
    top: 50%;
    height: 18px;
    margin-top: -9px;
    border-radius: 9px;
    min-width: 6px;
    background: var(--primary-color);
    opacity: 0.85;
  }
  .bar.scheduled {
    background: var(--disabled-color, #bdbdbd);
  }
  .bar.backup_issued {
    background: var(--warning-color);
  }
  .bar.issue_failed {
    background: var(--error-color);
  }
  .bar.clip-start {
    border-start-start-radius: 0;
    border-end-start-radius: 0;
  }
  .bar.clip-end {
    border-start-end-radius: 0;
    border-end-end-radius: 0;
  }
  .now-line {
    position: absolute;
    top: 0;
    bottom: 0;
    width: 2px;
    background: var(--accent-color, var(--primary-color));
    opacity: 0.6;
  }
  .later {
    position: absolute;
    inset-inline-end: 8px;
    top: 50%;
    transform: translateY(-50%);
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
  }
  .details {
    padding: 4px 16px 12px;
    background: var(--secondary-background-color);
  }
  .note {
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
    margin: 8px 0;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: var(--ha-font-size-m, 14px);
  }
  th {
    text-align: start;
    font-weight: var(--ha-font-weight-medium, 500);
    color: var(--secondary-text-color);
    padding: 8px 6px;
  }
  td {
    padding: 6px;
    border-top: 1px solid var(--divider-color);
    vertical-align: middle;
  }
  .grant-actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: 8px;
    margin-top: 8px;
  }
  .empty {
    padding: 24px 16px;
    color: var(--secondary-text-color);
    text-align: center;
  }
  ha-expansion-panel {
    margin-top: 16px;
    --expansion-panel-content-padding: 0;
  }
  .past-row {
    padding: 8px 16px;
    border-top: 1px solid var(--divider-color);
    font-size: var(--ha-font-size-m, 14px);
  }
  .past-row .when {
    margin: 0;
  }
  /* Phones: the timeline bar goes under the guest, tables become lists. */
  @media (max-width: 700px) {
    .wide-only {
      display: none;
    }
    .content {
      padding: 8px;
    }
    .days,
    .grant-head {
      grid-template-columns: 1fr;
    }
    .days .spacer {
      display: none;
    }

    .who {
      padding: 10px 12px 4px;
    }
    .bar-area {
      min-height: 26px;
      margin: 0 12px 8px;
    }
    table,
    tbody,
    tr,
    td {
      display: block;
    }
    thead {
      display: none;
    }
    tr {
      padding: 8px 0;
      border-top: 1px solid var(--divider-color);
    }
    td {
      border: none;
      padding: 2px 0;
    }
    td[data-label]::before {
      content: attr(data-label) ": ";
      color: var(--secondary-text-color);
    }
    /* The three actions of a grant on one line of a 390 px phone. */
    .details {
      padding: 4px 12px 12px;
    }
    .grant-actions {
      gap: 4px;
    }
    .grant-actions ha-button {
      --wa-form-control-padding-inline: 8px;
    }
  }
`,Pt=j`
  /* ha-input keeps room under a required field for its message: that is the gap between fields. */
  .form {
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .form .locks-choice {
    margin-bottom: 16px;
  }
  .lock-choice {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 4px 0;
  }
  .field-label {
    color: var(--secondary-text-color);
    font-size: var(--ha-font-size-s, 12px);
  }
  .code {
    font-family: var(--ha-font-family-code, monospace);
    font-size: 40px;
    letter-spacing: 0.2em;
    text-align: center;
    padding: 12px 0;
    user-select: all;
  }
  .message {
    padding: 12px;
    border-radius: var(--ha-border-radius-md, 8px);
    background: var(--secondary-background-color);
    white-space: pre-wrap;
    user-select: all;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    justify-content: center;
    margin: 8px 0;
  }
  .hint {
    color: var(--secondary-text-color);
    font-size: var(--ha-font-size-s, 12px);
    text-align: center;
  }
`;var Jt=["ha-card","ha-button","ha-dialog","ha-dialog-footer","ha-input","ha-switch","ha-alert","ha-icon","ha-menu-button","ha-expansion-panel"];async function Dt(){let a=()=>Jt.filter(e=>!customElements.get(e));if(a().length===0)return[];try{await Promise.race([customElements.whenDefined("partial-panel-resolver"),new Promise(s=>setTimeout(s,2e3))]);let e=document.createElement("partial-panel-resolver");e.hass={panels:[{url_path:"tmp",component_name:"config"}]},e._updateRoutes?.(),await e.routerOptions?.routes.tmp?.load?.(),await customElements.whenDefined("ha-panel-config"),await document.createElement("ha-panel-config").routerOptions?.routes.automation?.load?.()}catch{}return a()}var zt=new Map;function L(a,e){let t=`${a.locale.language}|${a.config.time_zone}|${JSON.stringify(e)}`,s=zt.get(t);return s||(s=new Intl.DateTimeFormat(a.locale.language,{timeZone:a.config.time_zone,...e}),zt.set(t,s)),s}function f(a,e){return L(a,{weekday:"short",day:"numeric",month:"short",hour:"2-digit",minute:"2-digit"}).format(new Date(e))}function Rt(a,e){let t=new Date(e);return[L(a,{weekday:"short"}).format(t),L(a,{weekday:"narrow"}).format(t),L(a,{day:"numeric"}).format(t)]}function Lt(a,e){let t={};for(let s of L(a,{year:"numeric",month:"2-digit",day:"2-digit",hour:"2-digit",minute:"2-digit",second:"2-digit",hourCycle:"h23"}).formatToParts(new Date(e)))s.type!=="literal"&&(t[s.type]=Number(s.value));return t}function at(a,e){let t=Lt(a,e);return e-((t.hour*60+t.minute)*60+t.second)*1e3-e%1e3}var F=a=>String(a).padStart(2,"0");function M(a,e){let t=Lt(a,new Date(e).getTime());return`${t.year}-${F(t.month)}-${F(t.day)}T${F(t.hour)}:${F(t.minute)}`}function nt(a){return a.length===16?`${a}:00`:a}var Mt=15,Zt=30,Qt=["issue_failed","backup_issued","issued","programmed","scheduled"];async function Xt(a){if(navigator.clipboard&&window.isSecureContext){await navigator.clipboard.writeText(a);return}let e=document.createElement("textarea");e.value=a,e.style.position="fixed",e.style.opacity="0",document.body.append(e),e.select(),document.execCommand("copy"),e.remove()}var H=class extends y{constructor(){super();this._ready=!1;this._onDisconnect=()=>{this._connected=!1};this._onReady=()=>{this._connected=!0};this._closeDialog=()=>{this._hideCode(),this._dialog=void 0,this._dialogErrorText=void 0};this._openCreate=()=>{let[t,s]=this._defaultTimes(),i=[...this._locks?.values()??[]];this._open({kind:"form",form:{mode:"create",name:"",locks:i.length===1?[i[0].lock_entity_id]:[],startsAt:t,endsAt:s,code:""}})};this._submitForm=async()=>{if(this._dialog?.kind!=="form"||this._busy)return;let t=this._dialog.form;if(!t.name.trim()||!t.startsAt||!t.endsAt||!t.locks.length){this._setDialogError(this._t("form.required"));return}let s={starts_at:nt(t.startsAt),ends_at:nt(t.endsAt)},i=t.mode==="create"?{type:`${m}/create_grant`,lock_entity_id:t.locks,name:t.name.trim(),...s,...t.code?{code:t.code}:{}}:{type:`${m}/update_grant`,access_grant_id:t.grantId,name:t.name.trim(),...s};await this._run(()=>this.hass.callWS(i))};this._runConfirmed=async()=>{this._dialog?.kind==="confirm"&&!this._busy&&await this._run(this._dialog.run)};this.narrow=!1,this._expanded=new Set,this._busy=!1,this._now=Date.now(),this._connected=!0}connectedCallback(){super.connectedCallback(),this._clock=window.setInterval(()=>this._now=Date.now(),6e4),this.hass&&!this._unsubscribe&&this._subscribe()}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this._clock),this._hideCode(),this._unsubscribe?.then(t=>t()).catch(()=>{}),this._unsubscribe=void 0,this.hass?.connection.removeEventListener("disconnected",this._onDisconnect),this.hass?.connection.removeEventListener("ready",this._onReady)}willUpdate(t){t.has("hass")&&this.hass&&!this._unsubscribe&&this.isConnected&&this._subscribe()}_subscribe(){let t=this.hass;Dt(),t.loadBackendTranslation("exceptions",m).then(()=>t.loadBackendTranslation("config_panel",m)).then(s=>this._localize=s),t.connection.addEventListener("disconnected",this._onDisconnect),t.connection.addEventListener("ready",this._onReady),this._unsubscribe=t.connection.subscribeMessage(s=>{this._locks=kt(this._locks??new Map,s),this._now=Date.now()},{type:`${m}/subscribe`}),this._unsubscribe.catch(s=>this._error=this._errorText(s))}updated(){!this._ready&&this._locks&&this._localize&&(this._ready=!0,this.toggleAttribute("data-ready",!0),performance.mark("backup-access-codes:ready"))}_t(t,s){let i=`component.${m}.config_panel.${t}`;return this._localize?.(i,s)||this.hass.localize(i,s)||t}_errorText(t){let s=t;if(s?.translation_key&&this._localize){let i=this._localize(`component.${m}.exceptions.${s.translation_key}.message`,s.translation_placeholders);if(i)return i}return s?.message??String(t)}_lockName(t){for(let s of this._locks?.values()??[])if(s.lock_entity_id===t)return s.name;return t}render(){return d`
      <div class="toolbar">
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        <div class="main-title">${this._t("panel.title")}</div>
        ${this._locks?.size?d`<ha-button data-testid="new-grant" @click=${this._openCreate}>
              <ha-icon slot="start" icon="mdi:plus"></ha-icon><span class="wide-only">${this._t("panel.new_grant")}</span>
            </ha-button>`:l}
      </div>
      <div class="content">
        ${this._error?d`<ha-alert alert-type="error">${this._error}</ha-alert>`:l}
        ${this._connected?l:d`<ha-alert alert-type="warning">${this._t("panel.disconnected")}</ha-alert>`}
        ${this._locks===void 0||!this._localize?d`<div class="empty">${this._localize?this._t("panel.loading"):""}</div>`:this._renderContent(this._locks)}
      </div>
      ${this._renderDialog()}
    `}_renderContent(t){if(t.size===0)return d`<div class="empty" data-testid="no-locks">${this._t("panel.no_locks")}</div>`;let s=At(t),i=Et(t);return d`
      ${this._renderCoverage(t,s)}
      <h2>${this._t("panel.locks")}</h2>
      <div class="locks">${[...t.values()].map(n=>this._renderLock(n))}</div>
      <h2>${this._t("panel.grants")}</h2>
      ${this._renderTimeline(s)} ${this._renderPast(i)}
    `}_renderCoverage(t,s){let i=St(s),n=Tt(t);return d`<div data-testid="coverage">
      ${i.length?d`<ha-alert alert-type="error">${this._t("panel.not_covered",{names:i.map(r=>r.name).join(", ")})}</ha-alert>`:d`<ha-alert alert-type="success">${this._t("panel.all_covered")}</ha-alert>`}
      ${n.length?d`<ha-alert alert-type="warning">${this._t("panel.warnings",{names:n.map(r=>r.name).join(", ")})}</ha-alert>`:l}
    </div>`}_renderLock(t){let s=t.pool,i=t.offline_reason?this._t(`offline_reason.${t.offline_reason}`):"",n=[["empty","error",s.empty],["partial","warn",s.partial],["many_active","warn",s.many_active]],r=`component.${m}.config_panel.provider.${t.provider}`,h=this._localize?.(r)||t.provider,o=t.slots;return d`<ha-card class="lock-card" data-testid="lock-card" data-entity-id=${t.lock_entity_id}>
      <div class="lock-head">
        <ha-icon icon=${t.online?"mdi:lock":"mdi:lock-off"}></ha-icon>
        <span class="name">${t.name}</span>
        <span class="chip ${t.online?"online":"offline"}" data-testid="lock-online">
          ${t.online?this._t("lock.online"):`${this._t("lock.offline")}: ${i}`}
        </span>
      </div>
      <div class="lock-body">
        <div class="counts">
          ${["ready","in_use","failed","rotating"].map(c=>d`<div class="count" data-testid="count-${c}">
              <div class="number">${s[c]}</div>
              <div class="label">${this._t(`lock.${c}`)}</div>
            </div>`)}
        </div>
        ${n.filter(([,,c])=>c).map(([c,u])=>d`<div class="warning ${u}" data-testid="warning-${c}">
              <ha-icon icon=${u==="error"?"mdi:alert-circle":"mdi:alert"}></ha-icon>${this._t(`warning.${c}`)}
            </div>`)}
        ${t.supports_pool?l:d`<div class="warning error"><ha-icon icon="mdi:alert-circle"></ha-icon>${this._t("lock.no_pool")}</div>`}
        <dl>
          <dt>${this._t("lock.provider")}</dt>
          <dd>${h}</dd>
          <dt>${this._t("lock.slots")}</dt>
          <dd>
            ${this._t("lock.slot_range",{first:o.first,last:o.last,pool_first:o.pool[0],pool_last:o.pool[1],grants_first:o.grants[0],grants_last:o.grants[1]})}
          </dd>
          <dt>${this._t("lock.last_write")}</dt>
          <dd data-testid="last-write">${t.last_write_at?f(this.hass,t.last_write_at):this._t("lock.never")}</dd>
          <dt>${this._t("lock.unverified")}</dt>
          <dd>${t.unverified_slots.length?t.unverified_slots.join(", "):this._t("lock.none")}</dd>
          ${t.calendar_entity_id?d`<dt><ha-icon icon="mdi:calendar-account"></ha-icon></dt>
                <dd>${this._t("lock.reservations",{calendar:this._entityName(t.calendar_entity_id)})}</dd>`:l}
        </dl>
      </div>
      <div class="card-actions">
        <ha-button appearance="plain" data-testid="rotate-codes" @click=${()=>this._confirmRotate(t)}>
          ${this._t("lock.rotate")}
        </ha-button>
      </div>
    </ha-card>`}_entityName(t){return this.hass.states?.[t]?.attributes.friendly_name??t}_renderTimeline(t){let s=at(this.hass,this._now),i=s+Mt*864e5,n=(this._now-s)/(i-s)*100;return d`<ha-card class="timeline" data-testid="timeline">
      <div class="days">
        <span class="spacer"></span>
        <div class="day-labels">
          ${Array.from({length:Mt},(r,h)=>{let[o,c,u]=Rt(this.hass,s+h*864e5+864e5/2);return d`<span class=${h===0?"today":""} title=${h===0?this._t("timeline.today"):l}>
                <span class="weekday">${o}</span><span class="letter">${c}</span>${h===0?d`<span class="today-word">${this._t("timeline.today")}</span>`:l}<span>${u}</span>
              </span>`})}
        </div>
      </div>
      ${t.length?t.map(r=>this._renderGrant(r,s,i,n)):d`<div class="empty">${this._t("timeline.empty")}</div>`}
    </ha-card>`}_worstStatus(t){for(let s of Qt)if(t.locks.some(i=>i.status===s))return s;return"scheduled"}_renderGrant(t,s,i,n){let r=new Date(t.starts_at).getTime(),h=new Date(t.ends_at).getTime(),o=i-s,c=Math.max(0,(r-s)/o*100),u=Math.min(100,(h-s)/o*100),p=this._expanded.has(t.access_grant_id),g=r>=i?d`<span class="later">${this._t("timeline.later")} →</span>`:d`<div
            class="bar ${this._worstStatus(t)} ${r<s?"clip-start":""} ${h>i?"clip-end":""}"
            style="inset-inline-start:${c}%;width:${Math.max(u-c,.5)}%"
          ></div>`;return d`<div class="grant" data-testid="grant-row" data-grant-id=${t.access_grant_id}>
      <button
        class="grant-head"
        data-testid="grant-toggle"
        aria-expanded=${p?"true":"false"}
        @click=${()=>this._toggle(t.access_grant_id)}
      >
        <div class="who">
          <div class="name">
            <span data-testid="grant-name">${t.name}</span>
            ${t.from_calendar?d`<ha-icon icon="mdi:calendar-account" title=${this._t("grant.from_calendar")} data-testid="from-calendar"></ha-icon>`:l}
          </div>
          <div class="when">
            ${this._t("grant.times",{starts:f(this.hass,t.starts_at),ends:f(this.hass,t.ends_at)})}
          </div>
          <div class="chips">
            ${t.locks.map(_=>d`<span class="chip s-${_.status}" data-testid="grant-status" data-entity-id=${_.lock_entity_id}
                >${this._lockName(_.lock_entity_id)}: ${this._t(`status.${_.status}`)}</span
              >`)}
          </div>
        </div>
        <div class="bar-area">${g}<div class="now-line" style="inset-inline-start:${n}%"></div></div>
      </button>
      ${p?this._renderDetails(t):l}
    </div>`}_renderDetails(t){let s=(i,n)=>i?f(this.hass,i):n;return d`<div class="details" data-testid="grant-details">
      ${t.from_calendar?d`<div class="note">${this._t("grant.from_calendar")}</div>`:l}
      <table>
        <thead>
          <tr>
            <th>${this._t("grant.lock")}</th>
            <th>${this._t("grant.status")}</th>
            <th>${this._t("grant.code_kind")}</th>
            <th>${this._t("grant.slot")}</th>
            <th>${this._t("grant.told_at")}</th>
            <th>${this._t("grant.first_used_at")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${t.locks.map(i=>d`<tr data-testid="grant-lock" data-entity-id=${i.lock_entity_id}>
              <td>${this._lockName(i.lock_entity_id)}</td>
              <td data-label=${this._t("grant.status")}>${this._t(`status.${i.status}`)}</td>
              <td data-label=${this._t("grant.code_kind")} data-testid="code-kind">
                ${i.has_code?i.is_backup_code?this._t("grant.backup"):this._t("grant.scheduled_code"):this._t("grant.not_told")}
              </td>
              <td data-label=${this._t("grant.slot")}>${i.slot??"–"}</td>
              <td data-label=${this._t("grant.told_at")}>${s(i.told_at,"–")}</td>
              <td data-label=${this._t("grant.first_used_at")}>${s(i.first_used_at,this._t("grant.not_used"))}</td>
              <td>
                ${i.has_code?d`<ha-button size="s" appearance="filled" data-testid="show-code" @click=${()=>this._reveal(t,i)}>
                      <ha-icon slot="start" icon="mdi:eye"></ha-icon>${this._t("grant.show_code")}
                    </ha-button>`:l}
              </td>
            </tr>`)}
        </tbody>
      </table>
      <div class="grant-actions">
        <ha-button appearance="plain" data-testid="edit-grant" @click=${()=>this._openEdit(t)}>${this._t("grant.edit")}</ha-button>
        <ha-button appearance="plain" data-testid="issue-backup" @click=${()=>this._confirmIssue(t)}>${this._t("grant.issue_backup")}</ha-button>
        <ha-button appearance="plain" variant="danger" data-testid="delete-grant" @click=${()=>this._confirmDelete(t)}>${this._t("grant.delete")}</ha-button>
      </div>
    </div>`}_renderPast(t){return d`<ha-expansion-panel outlined data-testid="past-stays" .header=${this._t("timeline.past",{count:t.length})}>
      ${t.length?t.map(s=>d`<div class="past-row" data-testid="past-row" data-grant-id=${s.access_grant_id}>
              <div class="name">
                ${s.name} ${s.from_calendar?d`<ha-icon icon="mdi:calendar-account" title=${this._t("grant.from_calendar")}></ha-icon>`:l}
              </div>
              <div class="when">
                ${this._t("grant.times",{starts:f(this.hass,s.starts_at),ends:f(this.hass,s.ends_at)})}
              </div>
              <div class="when">
                ${s.locks.map(i=>`${this._lockName(i.lock_entity_id)}: ${i.told_at?i.is_backup_code?this._t("grant.backup"):this._t("grant.scheduled_code"):this._t("grant.not_told")} · ${this._t("grant.first_used_at")}: ${i.first_used_at?f(this.hass,i.first_used_at):this._t("grant.not_used")}`).join(" · ")}
              </div>
            </div>`):d`<div class="empty">${this._t("timeline.past_empty")}</div>`}
    </ha-expansion-panel>`}_toggle(t){let s=new Set(this._expanded);s.delete(t)||s.add(t),this._expanded=s}_renderDialog(){let t=this._dialog;if(!t)return l;let s,i,n;if(t.kind==="form"){let r=t.form;s=r.mode==="create"?this._t("form.create_title"):this._t("form.edit_title",{name:r.name}),i=this._renderForm(r),n=d`<ha-button slot="secondaryAction" appearance="plain" @click=${this._closeDialog}>${this._t("form.cancel")}</ha-button>
        <ha-button slot="primaryAction" data-testid="form-submit" .loading=${this._busy} @click=${this._submitForm}>
          ${r.mode==="create"?this._t("form.create"):this._t("form.save")}
        </ha-button>`}else t.kind==="confirm"?(s=t.title,i=d`<p>${t.text}</p>`,n=d`<ha-button slot="secondaryAction" appearance="plain" @click=${this._closeDialog}>${this._t("confirm.cancel")}</ha-button>
        <ha-button
          slot="primaryAction"
          data-testid="confirm-button"
          variant=${t.action==="issue"?"brand":"danger"}
          .loading=${this._busy}
          @click=${this._runConfirmed}
          >${this._t("confirm.confirm")}</ha-button
        >`):(s=this._t("reveal.title",{name:t.grant.name,lock:t.lock.name}),i=this._renderReveal(t),n=d`<ha-button slot="primaryAction" appearance="plain" data-testid="reveal-close" @click=${this._closeDialog}>${this._t("reveal.close")}</ha-button>`);return d`<ha-dialog
      open
      data-testid="dialog"
      .headerTitle=${s}
      width="medium"
      @closed=${r=>r.target===r.currentTarget&&this._closeDialog()}
    >
      ${this._dialogError()} ${i}
      <ha-dialog-footer slot="footer">${n}</ha-dialog-footer>
    </ha-dialog>`}_dialogError(){return this._dialogErrorText?d`<ha-alert alert-type="error" data-testid="dialog-error">${this._dialogErrorText}</ha-alert>`:l}_setDialogError(t){this._dialogErrorText=t,this.requestUpdate()}_renderForm(t){let s=n=>{this._dialog?.kind==="form"&&(this._dialog={kind:"form",form:{...this._dialog.form,...n}})},i=n=>n.target.value;return d`<div class="form">
      ${t.fromCalendar?d`<ha-alert alert-type="warning">${this._t("form.calendar_note")}</ha-alert>`:l}
      <ha-input
        data-testid="form-name"
        .label=${this._t("form.name")}
        .value=${t.name}
        required
        @input=${n=>s({name:i(n)})}
      ></ha-input>
      ${t.mode==="create"?d`<div class="locks-choice">
            <div class="field-label">${this._t("form.locks")}</div>
            ${[...this._locks?.values()??[]].map(n=>d`<label class="lock-choice">
                <span>${n.name}</span>
                <ha-switch
                  data-testid="form-lock"
                  data-entity-id=${n.lock_entity_id}
                  .checked=${t.locks.includes(n.lock_entity_id)}
                  @change=${r=>{let h=r.target.checked,o=t.locks.filter(c=>c!==n.lock_entity_id);s({locks:h?[...o,n.lock_entity_id]:o})}}
                ></ha-switch>
              </label>`)}
          </div>`:l}
      <ha-input
        data-testid="form-starts"
        type="datetime-local"
        .label=${this._t("form.starts_at")}
        .value=${t.startsAt}
        required
        @input=${n=>s({startsAt:i(n)})}
        @change=${n=>s({startsAt:i(n)})}
      ></ha-input>
      <ha-input
        data-testid="form-ends"
        type="datetime-local"
        .label=${this._t("form.ends_at")}
        .value=${t.endsAt}
        required
        @input=${n=>s({endsAt:i(n)})}
        @change=${n=>s({endsAt:i(n)})}
      ></ha-input>
      ${t.mode==="create"?d`<ha-input
            data-testid="form-code"
            type="password"
            inputmode="numeric"
            autocomplete="off"
            .label=${this._t("form.code")}
            .hint=${this._t("form.code_helper")}
            .value=${t.code}
            @input=${n=>s({code:i(n)})}
          ></ha-input>`:d`<div class="note">${this._t("form.code_helper")}</div>`}
    </div>`}_renderReveal(t){let{code:s,grant:i,lock:n}=t,r=this._guestMessage(t);return d`
      <div class="hint">
        ${s.is_backup_code?this._t("reveal.backup",{slot:s.slot??"–"}):this._t("reveal.scheduled")}
      </div>
      <div class="code" data-testid="revealed-code">${s.code}</div>
      <div class="row">
        <ha-button appearance="filled" data-testid="copy-code" @click=${()=>this._copy(s.code,"code")}>
          <ha-icon slot="start" icon="mdi:content-copy"></ha-icon>${this._copied==="code"?this._t("reveal.copied"):this._t("reveal.copy")}
        </ha-button>
      </div>
      <div class="field-label">${this._t("reveal.message_label")}</div>
      <div class="message" data-testid="guest-message" data-grant-id=${i.access_grant_id} data-entity-id=${n.lock_entity_id}>${r}</div>
      <div class="row">
        <ha-button appearance="outlined" data-testid="copy-message" @click=${()=>this._copy(r,"message")}>
          <ha-icon slot="start" icon="mdi:message-text"></ha-icon>${this._copied==="message"?this._t("reveal.copied"):this._t("reveal.copy_message")}
        </ha-button>
      </div>
      <div class="hint" data-testid="reveal-countdown">${this._t("reveal.hides_in",{seconds:t.left})}</div>
    `}_guestMessage(t){return this._t("reveal.message",{lock:t.lock.name,code:t.code.code,starts:f(this.hass,t.grant.starts_at),ends:f(this.hass,t.grant.ends_at)})}async _copy(t,s){try{await Xt(t),this._copied=s}catch(i){this._setDialogError(String(i))}}_open(t){this._hideCode(),this._dialogErrorText=void 0,this._busy=!1,this._copied=void 0,this._dialog=t}_hideCode(){window.clearInterval(this._revealTimer),this._revealTimer=void 0,this._dialog?.kind==="reveal"&&(this._dialog=void 0)}_defaultTimes(){let s=at(this.hass,Date.now())+15*36e5;s<=Date.now()&&(s+=864e5);let i=s+2*864e5-4*36e5;return[M(this.hass,new Date(s).toISOString()),M(this.hass,new Date(i).toISOString())]}_openEdit(t){this._open({kind:"form",form:{mode:"edit",grantId:t.access_grant_id,fromCalendar:t.from_calendar,name:t.name,locks:t.locks.map(s=>s.lock_entity_id),startsAt:M(this.hass,t.starts_at),endsAt:M(this.hass,t.ends_at),code:""}})}async _run(t){this._busy=!0,this._setDialogError(void 0);try{await t(),this._closeDialog()}catch(s){this._setDialogError(this._errorText(s))}finally{this._busy=!1}}_confirmDelete(t){this._open({kind:"confirm",action:"delete",title:this._t("confirm.delete_title",{name:t.name}),text:this._t("confirm.delete_text"),run:()=>this.hass.callWS({type:`${m}/delete_grant`,access_grant_id:t.access_grant_id})})}_confirmIssue(t){this._open({kind:"confirm",action:"issue",title:this._t("confirm.issue_title",{name:t.name}),text:this._t("confirm.issue_text"),run:()=>this.hass.callWS({type:`${m}/issue_backup_code`,access_grant_id:t.access_grant_id})})}_confirmRotate(t){this._open({kind:"confirm",action:"rotate",title:this._t("confirm.rotate_title",{lock:t.name}),text:this._t("confirm.rotate_text"),run:()=>this.hass.callWS({type:`${m}/rotate_backup_codes`,lock_entity_id:t.lock_entity_id})})}async _reveal(t,s){let i=this._locks?.get(s.entry_id);if(i)try{let n=await this.hass.callWS({type:`${m}/reveal_code`,access_grant_id:t.access_grant_id,lock_entity_id:s.lock_entity_id});this._open({kind:"reveal",grant:t,lock:i,code:n,left:Zt}),this._revealTimer=window.setInterval(()=>{if(this._dialog?.kind!=="reveal")return;let r=this._dialog.left-1;r<=0?this._closeDialog():this._dialog={...this._dialog,left:r}},1e3)}catch(n){this._error=this._errorText(n)}}};H.properties={hass:{attribute:!1},narrow:{type:Boolean,reflect:!0},_locks:{state:!0},_localize:{state:!0},_expanded:{state:!0},_dialog:{state:!0},_busy:{state:!0},_error:{state:!0},_copied:{state:!0},_now:{state:!0},_connected:{state:!0}},H.styles=[Ct,Pt];customElements.get("backup-access-codes-panel")||customElements.define("backup-access-codes-panel",H);export{H as BackupAccessCodesPanel};
